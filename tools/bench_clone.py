"""Set-up shared by the benchmarks and the check of concurrent runs: a
publication with its offers, copies of one row made in SQL, and the benchmarks'
report of their figures.

Only the benchmarks' data is copied this way, so that setting up 100,000
subscriptions takes seconds; everything measured runs through the ORM.
"""

import json
import os
from datetime import timedelta

from odoo import Command, fields

COMPANY_IBAN = "FR7630006000011234567890189"


def write_results(result, problems):
    """Write result with its problems to BENCH_OUT, print both; returns the
    benchmark's exit status (1 when a count is wrong or a target missed)."""
    result["problems"] = problems
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2))
    for problem in problems:
        print("FAILED:", problem)
    return 1 if problems else 0


def make_publication(env, name, code):
    """A publication with payment grace (subscriptions are active at once), a
    continuous quarterly offer at 30.00 and a fixed annual one at 120.00."""
    product = env["product.product"].create(
        {
            "name": f"{name} subscription",
            "type": "service",
            "taxes_id": [Command.clear()],
        }
    )
    publication = env["publication.publication"].create(
        {"name": name, "code": code, "product_id": product.id, "payment_grace_days": 30}
    )
    Plan = env["publication.subscription.plan"]
    continuous = Plan.create(
        {
            "name": "Quarterly, continuous",
            "publication_id": publication.id,
            "term_length": 3,
            "price": 30.0,
            "renewal_type": "continuous",
        }
    )
    fixed = Plan.create(
        {"name": "Annual", "publication_id": publication.id, "price": 120.0}
    )
    return publication, continuous, fixed


def clone_rows(cr, table, template_id, count, overrides, params=None):
    """Insert count copies of row template_id of table. overrides maps a column
    to an SQL expression of g (1..count) and of params; returns the new ids in
    the order of g."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        (table,),
    )
    columns = [row[0] for row in cr.fetchall()]
    values = [overrides.get(column, f't."{column}"') for column in columns]
    cr.execute(
        f"""INSERT INTO "{table}" ({", ".join(f'"{c}"' for c in columns)})
            SELECT {", ".join(values)}
              FROM "{table}" t, generate_series(1, %(count)s) g
             WHERE t.id = %(template_id)s
          ORDER BY g
         RETURNING id""",
        {**(params or {}), "count": count, "template_id": template_id},
    )
    return [row[0] for row in cr.fetchall()]


def template_subscription(env, publication, plan):
    """A confirmed subscription of plan starting today, to be cloned."""
    today = fields.Date.context_today(env.user)
    partner = env["res.partner"].create({"name": "Bench template reader"})
    subscription = env["publication.subscription"].create(
        {
            "recipient_id": partner.id,
            "publication_id": publication.id,
            "plan_id": plan.id,
            "date_start": today,
        }
    )
    subscription.action_confirm()
    env.flush_all()
    return subscription


def clone_subscriptions(
    env,
    template,
    partner_ids,
    end_sql,
    start_sql,
    reminded_sql="0",
    state="active",
    unpaid=False,
):
    """Subscriptions like template for partner_ids; end, start and reminder
    state as SQL expressions of g and of the date today. unpaid: their periods
    share the template's invoice, overdue by 8 to 37 days."""
    today = fields.Date.context_today(env.user)
    params = {"partners": partner_ids, "today": today}
    partner = "(%(partners)s::int[])[g]"
    ids = clone_rows(
        env.cr,
        "publication_subscription",
        template.id,
        len(partner_ids),
        {
            "name": "'BENCH/' || t.id || '/' || g",
            "recipient_id": partner,
            "payer_id": partner,
            "delivery_address_id": partner,
            "date_end": end_sql,
            "date_start": start_sql,
            "reminder_days_sent": reminded_sql,
            "access_token": "NULL",
            "state": "%(state)s",
        },
        {**params, "state": state},
    )
    period = template.period_ids
    clone_rows(
        env.cr,
        "publication_subscription_period",
        period.id,
        len(ids),
        {
            "subscription_id": "(%(subscriptions)s::int[])[g]",
            "recipient_id": partner,
            "payer_id": partner,
            "date_start": start_sql,
            "date_end": end_sql,
            **(
                {
                    "invoice_date_due": "%(today)s::date - 8 - g %% 30",
                    "payment_state": "'not_paid'",
                }
                if unpaid
                else {
                    "invoice_id": "NULL",
                    "invoice_line_id": "NULL",
                    "invoice_date_due": "NULL",
                    "payment_state": "'paid'",
                }
            ),
        },
        {**params, "subscriptions": ids},
    )
    return ids


def clone_partners(env, count, prefix):
    """count partners with a name and an e-mail address each."""
    template = env["res.partner"].create(
        {"name": f"{prefix} template", "email": "template@example.com"}
    )
    env.flush_all()
    ids = clone_rows(
        env.cr,
        "res_partner",
        template.id,
        count,
        {
            "name": f"'{prefix} ' || g",
            "complete_name": f"'{prefix} ' || g",
            "email": f"'{prefix.lower()}' || g || '@example.com'",
        },
    )
    env.cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (ids,)
    )
    env.invalidate_all()
    return ids


def iban(country, bban):
    """A valid IBAN (ISO 13616 check digits) of country and bban."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def setup_sepa(env):
    """The company's SEPA direct debit payment mode, with its creditor
    identifier, bank account and journal."""
    company = env.company
    company.sepa_creditor_identifier = "FR78ZZZ424242"
    bank = env["res.bank"].create({"name": "Bench Bank", "bic": "AGRIFRPPXXX"})
    account = env["res.partner.bank"].create(
        {
            "acc_number": COMPANY_IBAN,
            "bank_id": bank.id,
            "partner_id": company.partner_id.id,
            "company_id": company.id,
        }
    )
    sdd = env.ref("account_banking_sepa_direct_debit.sepa_direct_debit")
    journal = env["account.journal"].create(
        {
            "name": "Direct Debits",
            "code": "BSDD",
            "type": "bank",
            "bank_account_id": account.id,
            "inbound_payment_method_line_ids": [
                Command.create({"payment_method_id": sdd.id})
            ],
        }
    )
    return env["account.payment.mode"].create(
        {
            "name": "SEPA Direct Debit",
            "payment_method_id": sdd.id,
            "bank_account_link": "fixed",
            "fixed_journal_id": journal.id,
        }
    )


def clone_mandates(env, partner_ids, mode):
    """A German bank account and a valid SEPA mandate signed 30 days ago for
    each of partner_ids, who pay by mode."""
    count = len(partner_ids)
    ibans = [iban("DE", f"37040044{n:010d}") for n in range(1, count + 1)]
    bank_template = env["res.partner.bank"].create(
        {"acc_number": iban("DE", "370400440000000000"), "partner_id": partner_ids[0]}
    )
    env.flush_all()
    bank_ids = clone_rows(
        env.cr,
        "res_partner_bank",
        bank_template.id,
        count,
        {
            "partner_id": "(%(partners)s::int[])[g]",
            "acc_number": "(%(ibans)s::text[])[g]",
            "sanitized_acc_number": "(%(ibans)s::text[])[g]",
        },
        {"partners": partner_ids, "ibans": ibans},
    )
    mandate_template = env["account.banking.mandate"].create(
        {
            "partner_bank_id": bank_template.id,
            "signature_date": fields.Date.context_today(env.user) - timedelta(days=30),
            "unique_mandate_reference": "BENCH-TEMPLATE",
        }
    )
    env.flush_all()
    clone_rows(
        env.cr,
        "account_banking_mandate",
        mandate_template.id,
        count,
        {
            "partner_bank_id": "(%(banks)s::int[])[g]",
            "partner_id": "(%(partners)s::int[])[g]",
            "unique_mandate_reference": "'BENCH-' || g",
            "display_name": "'BENCH-' || g || ' (first)'",
            "state": "'valid'",
        },
        {"banks": bank_ids, "partners": partner_ids},
    )
    env.cr.execute(
        "UPDATE res_partner SET customer_payment_mode_id = %s::jsonb "
        "WHERE id = ANY(%s)",
        (f'{{"{env.company.id}": {mode.id}}}', partner_ids),
    )
    env.invalidate_all()


def demo_provider(env):
    """The company's demo payment provider (payment_demo) in test mode,
    saving cards (as tests/common.py's demo_payment_provider)."""
    Provider = env["payment.provider"].sudo()
    provider = Provider.search(
        [("code", "=", "demo"), ("company_id", "=", env.company.id)], limit=1
    )
    provider.write({"state": "test", "is_published": True, "allow_tokenization": True})
    return provider


def save_cards(env, subscription_ids, partner_ids, refused_every=0):
    """A saved card of the demo provider for each payer of partner_ids, paying
    their subscription of subscription_ids (same order); with refused_every=n,
    every n-th card's charges are refused."""
    provider = demo_provider(env)
    template = (
        env["payment.token"]
        .sudo()
        .create(
            {
                "provider_id": provider.id,
                "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                "partner_id": partner_ids[0],
                "provider_ref": "bench-card",
                "payment_details": "4242",
                "demo_simulated_state": "done",
            }
        )
    )
    env.flush_all()
    refused = (
        "CASE WHEN g %% %(every)s = 0 THEN 'error' ELSE 'done' END"
        if refused_every
        else "'done'"
    )
    token_ids = clone_rows(
        env.cr,
        "payment_token",
        template.id,
        len(partner_ids),
        {
            "partner_id": "(%(partners)s::int[])[g]",
            "provider_ref": "'bench-card-' || g",
            "demo_simulated_state": refused,
        },
        {"partners": partner_ids, "every": refused_every},
    )
    env.cr.execute(
        """UPDATE publication_subscription s SET payment_token_id = c.token
             FROM unnest(%s::int[], %s::int[]) AS c(subscription, token)
            WHERE s.id = c.subscription""",
        (subscription_ids, token_ids),
    )
    env.invalidate_all()
    return token_ids
