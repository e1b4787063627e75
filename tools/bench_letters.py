"""Paper payment reminders: BENCH_LETTERS payers without an e-mail address,
each with an overdue invoice of its own, reminded by the nightly payment
reminders, then printed as one PDF sorted by postal code.

Run by tools/bench_letters with `odoo shell` (which provides `env`). The
company pays in EUR to a Finnish IBAN, its sales journal makes RF creditor
references ('euro'; with l10n_fi, 'fi_rf' gives the same kind). The payers,
their subscriptions and invoices are made before the clock starts (payers and
subscriptions copied in SQL, invoices through the ORM); timed: the scheduled
payment reminders (which queue the letters) and the print of the one PDF.
Writes the figures to BENCH_OUT as JSON and exits non-zero when a count is
wrong or the target is missed (full size, 5,000 letters: 180 s).
"""

import io
import os
import resource
import sys
import time
from datetime import timedelta

from bench_clone import (
    clone_partners,
    clone_subscriptions,
    make_publication,
    template_subscription,
    write_results,
)

from odoo import Command, fields
from odoo.http import root
from odoo.service import server
from odoo.tools import config
from odoo.tools.pdf import PdfReader

env = env  # noqa: F821, PLW0127 - given by odoo shell
LETTERS = int(os.environ["BENCH_LETTERS"])
TARGET = 180.0 * LETTERS / 5000
today = fields.Date.context_today(env.user)
company = env.company


def setup_company():
    """EUR, a Finnish address and IBAN, RF references on the sales journals."""
    euro = env.ref("base.EUR")
    euro.active = True
    company.write(
        {
            "currency_id": euro.id,
            "country_id": env.ref("base.fi").id,
            "street": "Kirkkokatu 1",
            "zip": "00170",
            "city": "Helsinki",
        }
    )
    bank = env["res.bank"].create({"name": "Nordea", "bic": "NDEAFIHH"})
    env["res.partner.bank"].create(
        {
            "acc_number": "FI2112345600000785",
            "partner_id": company.partner_id.id,
            "bank_id": bank.id,
            "allow_out_payment": True,
        }
    )
    env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)]
    ).invoice_reference_model = "euro"
    env["res.lang"]._activate_lang("fi_FI")


def setup_payers():
    """LETTERS payers without e-mail, at postal codes in no order, half of
    them reading Finnish; each with a subscription whose period has its own
    invoice, 20 days overdue."""
    publication, _continuous, fixed = make_publication(env, "Bench Monthly", "BM")
    template = template_subscription(env, publication, fixed)
    # the template's reader reads e-mail: no invoice letter for its invoice
    template.payer_id.email = "template@example.com"
    ids = clone_partners(env, LETTERS, "Reader")
    env.cr.execute(
        """UPDATE res_partner p SET email = NULL,
                  street = 'Kotikatu ' || (p.id %% 97 + 1),
                  zip = lpad(((p.id * 7919) %% 99000 + 1000)::text, 5, '0'),
                  city = 'Helsinki', country_id = %s,
                  lang = CASE WHEN p.id %% 2 = 0 THEN 'fi_FI' ELSE 'en_US' END
            WHERE id = ANY(%s)""",
        (env.ref("base.fi").id, ids),
    )
    env.invalidate_all()
    subscription_ids = clone_subscriptions(
        env,
        template,
        ids,
        "%(today)s::date + 300",
        "%(today)s::date - 20",
        unpaid=True,
    )
    env.cr.commit()
    due = today - timedelta(days=20)
    product = publication.product_id
    invoice_ids = []
    for start in range(0, LETTERS, 500):
        invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": "Bench Monthly, annual subscription",
                                "quantity": 1,
                                "price_unit": 120.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for partner_id in ids[start : start + 500]
            ]
        )
        invoices.action_post()
        invoice_ids += invoices.ids
        env.cr.commit()
        env.invalidate_all()
    env.cr.execute(
        """UPDATE publication_subscription_period p
              SET invoice_id = m.invoice_id, invoice_line_id = NULL,
                  invoice_date_due = %s, payment_state = 'not_paid'
             FROM unnest(%s::int[], %s::int[]) AS m(subscription_id, invoice_id)
            WHERE p.subscription_id = m.subscription_id""",
        (due, subscription_ids, invoice_ids),
    )
    env.cr.commit()
    env.invalidate_all()


def serve_assets():
    """wkhtmltopdf loads the report's style sheets from Odoo over HTTP."""
    port = int(os.environ.get("BENCH_HTTP_PORT", config["http_port"]))
    httpd = server.ThreadedServer(root)
    httpd.interface, httpd.port = "127.0.0.1", port
    httpd.http_spawn()
    env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
    env.cr.commit()


def timed(function):
    start = time.perf_counter()
    function()
    env.cr.commit()
    return round(time.perf_counter() - start, 1)


def run_cron(method):
    model = env[method[0]]
    while not getattr(model, method[1])():
        pass


def main():
    serve_assets()
    setup_company()
    env.cr.commit()
    setup_payers()
    seconds = {
        "payment_reminders": timed(
            lambda: run_cron(("publication.automation", "_cron_dunning"))
        ),
        "print": timed(
            lambda: run_cron(("publication.letter.run", "_cron_print_letters"))
        ),
    }
    run = env["publication.letter.run"].search([], order="id desc", limit=1)
    pdf = run.pdf_id.raw or b""
    pages = len(PdfReader(io.BytesIO(pdf)).pages) if pdf else 0
    result = {
        "letters": LETTERS,
        "queued": run.letter_count,
        "pages": pages,
        "pdf_megabytes": round(len(pdf) / 1e6, 1),
        "seconds": seconds,
        "total_seconds": round(sum(seconds.values()), 1),
        "target_seconds": TARGET,
        "odoo_peak_megabytes": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
    }
    problems = []
    if run.letter_count != LETTERS or run.state != "printed":
        problems.append(f"{LETTERS} letters due, {run.letter_count} in the run")
    if pages != LETTERS:
        problems.append(f"{pages} pages for {LETTERS} letters")
    if result["total_seconds"] > TARGET:
        problems.append(f"{result['total_seconds']} s, target {TARGET} s")
    return write_results(result, problems)


sys.exit(main())
