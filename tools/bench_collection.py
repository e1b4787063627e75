"""Direct debit collection at scale, in one process.

Run by tools/bench_collection with `odoo shell` (which provides `env`). Makes
DEBITS continuous subscriptions ending today whose payers have a valid SEPA
mandate (readers, bank accounts and mandates copied in SQL), renews them
through the ORM (their invoices get the direct debit mode and the mandate),
then times what a publisher does:
  order     the scheduled action's payment order of all of them, its
            confirmation and its pain.008 file (validated against the schema
            by OCA): target 60 s for 20,000;
  upload    the order marked sent (OCA's "File Uploaded"): every payment posted
            and reconciled with its invoice (reported per debit, no target);
  returns   a pain.002 file returning RETURNS of those debits imported and
            confirmed: the invoices reopen, the payers are told and invoiced
            the return fee: target 60 s for 1,000.
Also checks that a rerun of the scheduled action adds nothing.
"""

import base64
import cProfile
import os
import pstats
import sys
import time

from bench_clone import (
    COMPANY_IBAN,
    clone_mandates,
    clone_partners,
    clone_rows,
    clone_subscriptions,
    make_publication,
    setup_sepa,
    template_subscription,
    write_results,
)

from odoo import fields

env = env  # noqa: F821, PLW0127 - given by odoo shell
DEBITS = int(os.environ.get("BENCH_DEBITS", "20000"))
RETURNS = int(os.environ.get("BENCH_RETURNS", "1000"))
ORDER_TARGET = 60.0 * DEBITS / 20000
RETURN_TARGET = 60.0 * RETURNS / 1000
# cProfile figures in the log, and each step's in PROFILE_DIR/<step>.prof
PROFILE = bool(os.environ.get("BENCH_PROFILE"))
PROFILE_DIR = os.environ.get("BENCH_PROFILE_DIR", ".")


def populate(mode):
    """DEBITS payers with a valid mandate and a continuous subscription that
    ends today, renewed; returns the subscriptions. The first is renewed
    through the ORM (its invoice gets the direct debit mode and the mandate);
    the others' renewals (period, posted invoice, renewal event) are copies
    of it made in SQL, each with its payer, mandate and invoice number."""
    publication, continuous, _fixed = make_publication(env, "Bench Monthly", "BM")
    publication.direct_debit_return_fee = 5.0
    template = template_subscription(env, publication, continuous)
    partner_ids = clone_partners(env, DEBITS, "Payer")
    clone_mandates(env, partner_ids, mode)
    clone_subscriptions(
        env,
        template,
        partner_ids,
        "%(today)s::date",
        "(%(today)s::date - interval '3 months' + interval '1 day')::date",
    )
    env.cr.execute("ANALYZE")
    env.cr.commit()
    env.invalidate_all()
    subscriptions = env["publication.subscription"].search(
        [("id", "!=", template.id), ("publication_id", "=", publication.id)],
        order="id",
    )
    period = subscriptions[:1]._renew()
    env.flush_all()
    clone_renewals(period, subscriptions[1:])
    env.cr.execute("ANALYZE")
    env.cr.commit()
    env.invalidate_all()
    return subscriptions


def references(table, row, targets):
    """Overrides of the columns of table's row (a dict) that reference a
    table of targets ({table: (id in row, SQL expression of g)})."""
    env.cr.execute(
        """SELECT a.attname, c.confrelid::regclass::text
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.contype = 'f' AND c.conrelid = %s::regclass""",
        (table,),
    )
    return {
        column: targets[target][1]
        for column, target in env.cr.fetchall()
        if target in targets and row[column] == targets[target][0]
    }


def texts(row, replaced):
    """Overrides of row's text columns holding texts of replaced ({parameter
    of the text: its SQL expression of g}): those texts replaced in them."""
    overrides = {}
    for column, value in row.items():
        if not isinstance(value, str):
            continue
        expression = f't."{column}"'
        for parameter, (text, new) in replaced.items():
            if text in value:
                expression = f"replace({expression}, %({parameter})s, {new})"
        if expression != f't."{column}"':
            overrides[column] = expression
    return overrides


def clone_like(table, template_id, count, targets, replaced, overrides, params):
    """clone_rows of table's row template_id, its references to targets and
    its texts of replaced following each copy's own."""
    env.cr.execute(f'SELECT * FROM "{table}" WHERE id = %s', (template_id,))
    row = env.cr.dictfetchone()
    return clone_rows(
        env.cr,
        table,
        template_id,
        count,
        {**references(table, row, targets), **texts(row, replaced), **overrides},
        params,
    )


def clone_renewals(period, subscriptions):
    """The renewal of each of subscriptions as period's (its subscription's
    first renewal, made through the ORM): its period, posted invoice with
    its lines and followers, renewal event and new end."""
    count = len(subscriptions)
    if not count:
        return
    invoice = period.invoice_id
    subscription = period.subscription_id
    payer = period.payer_id
    payer_ids = [s.payer_id.id for s in subscriptions]
    mandates = dict(
        env["account.banking.mandate"]
        .search([("partner_id", "in", payer_ids), ("state", "=", "valid")])
        .mapped(lambda m: (m.partner_id.id, m.id))
    )
    # no text arrays: reading the g-th of one costs O(g) in PostgreSQL
    params = {
        "partners": payer_ids,
        "mandates": [mandates[p] for p in payer_ids],
        "subscriptions": subscriptions.ids,
        "prefix": invoice.sequence_prefix,
        "number": invoice.sequence_number,
        "digits": len(invoice.name) - len(invoice.sequence_prefix),
        "old_name": invoice.name,
        "old_origin": subscription.name,
        "old_payer_name": payer.name,
    }
    targets = {
        "res_partner": (payer.id, "(%(partners)s::int[])[g]"),
        "account_banking_mandate": (
            invoice.mandate_id.id,
            "(%(mandates)s::int[])[g]",
        ),
        "publication_subscription": (
            subscription.id,
            "(%(subscriptions)s::int[])[g]",
        ),
    }
    replaced = {
        "old_name": (
            invoice.name,
            "%(prefix)s || lpad((%(number)s + g)::text, %(digits)s, '0')",
        ),
        "old_origin": (
            subscription.name,
            (
                "(SELECT name FROM publication_subscription "
                "WHERE id = (%(subscriptions)s::int[])[g])"
            ),
        ),
        "old_payer_name": (
            payer.name,
            "(SELECT name FROM res_partner WHERE id = (%(partners)s::int[])[g])",
        ),
    }
    params["moves"] = clone_like(
        "account_move",
        invoice.id,
        count,
        targets,
        replaced,
        {"access_token": "NULL"},
        params,
    )
    targets["account_move"] = (invoice.id, "(%(moves)s::int[])[g]")
    params["periods"] = clone_like(
        "publication_subscription_period",
        period.id,
        count,
        targets,
        replaced,
        {"invoice_line_id": "NULL"},
        params,
    )
    targets["publication_subscription_period"] = (
        period.id,
        "(%(periods)s::int[])[g]",
    )
    for line in invoice.line_ids:
        line_ids = clone_like(
            "account_move_line", line.id, count, targets, replaced, {}, params
        )
        if line == period.invoice_line_id:
            env.cr.execute(
                """UPDATE publication_subscription_period p SET invoice_line_id = c.line
                     FROM unnest(%s::int[], %s::int[]) AS c(period, line)
                    WHERE p.id = c.period""",
                (params["periods"], line_ids),
            )
    for event in env["publication.renewal.event"].search(
        [("period_id", "=", period.id)]
    ):
        clone_like(
            "publication_renewal_event", event.id, count, targets, replaced, {}, params
        )
    env.cr.execute(
        "SELECT id FROM mail_followers "
        "WHERE res_model = 'account.move' AND res_id = %s",
        (invoice.id,),
    )
    for (follower_id,) in env.cr.fetchall():
        new_ids = clone_like(
            "mail_followers",
            follower_id,
            count,
            targets,
            replaced,
            {"res_id": "(%(moves)s::int[])[g]"},
            params,
        )
        env.cr.execute(
            """INSERT INTO mail_followers_mail_message_subtype_rel
                   (mail_followers_id, mail_message_subtype_id)
               SELECT f, r.mail_message_subtype_id
                 FROM unnest(%s::int[]) f, mail_followers_mail_message_subtype_rel r
                WHERE r.mail_followers_id = %s""",
            (new_ids, follower_id),
        )
    env.cr.execute(
        "UPDATE publication_subscription SET date_end = %s, reminder_days_sent = %s "
        "WHERE id = ANY(%s)",
        (subscription.date_end, subscription.reminder_days_sent, subscriptions.ids),
    )
    env.invalidate_all()


def timed(function, *args):
    queries = env.cr.sql_log_count
    start = time.monotonic()
    if PROFILE:
        profile = cProfile.Profile()
        result = profile.runcall(function, *args)
        print(f"==== profile of {function.__name__}")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        profile.dump_stats(os.path.join(PROFILE_DIR, f"{function.__name__}.prof"))
    else:
        result = function(*args)
    env.cr.commit()
    seconds = time.monotonic() - start
    env.invalidate_all()
    return result, round(seconds, 2), env.cr.sql_log_count - queries


def build_and_send():
    Move = env["account.move"]
    orders, build, build_queries = timed(
        Move._publication_collect_direct_debits, env.company
    )
    rerun, _seconds, _queries = timed(
        Move._publication_collect_direct_debits, env.company
    )
    lines_after_rerun = len(orders.payment_line_ids)
    _res, confirm, confirm_queries = timed(orders.draft2open)
    files = []

    def generate():
        # what the clerk's Generate Payment File does: the file once, attached
        for order in orders:
            action = order.open2generated()
            attachment = env["ir.attachment"].browse(action["res_id"])
            files.append(base64.b64decode(attachment.datas))

    _res, generate_seconds, generate_queries = timed(generate)
    figures = {
        "orders": len(orders),
        "debits": lines_after_rerun,
        "rerun_added_orders": len(rerun - orders),
        "payments": len(orders.payment_ids),
        "file_bytes": sum(len(f) for f in files),
        "build_seconds": build,
        "build_queries": build_queries,
        "confirm_seconds": confirm,
        "confirm_queries": confirm_queries,
        "pain008_seconds": generate_seconds,
        "pain008_queries": generate_queries,
        "order_seconds": round(build + confirm + generate_seconds, 2),
    }
    if not RETURNS:
        return figures, orders
    # the clerk's File Successfully Uploaded: every payment posted and
    # reconciled with the invoice it pays
    uploaded = orders.payment_ids
    _res, upload, upload_queries = timed(orders.generated2uploaded)
    return {
        **figures,
        "uploaded_payments": len(uploaded),
        "upload_seconds": upload,
        "upload_ms_per_debit": round(1000 * upload / max(len(uploaded), 1), 1),
        "upload_queries_per_debit": round(upload_queries / max(len(uploaded), 1), 1),
    }, orders


def return_file(payments):
    transactions = "".join(
        f"<TxInfAndSts><StsId>R{p.id}</StsId>"
        f"<OrgnlEndToEndId>{p.id}</OrgnlEndToEndId><TxSts>RJCT</TxSts>"
        "<StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf><OrgnlTxRef>"
        f'<Amt><InstdAmt Ccy="{p.currency_id.name}">{p.amount:.2f}</InstdAmt></Amt>'
        f"<CdtrAcct><Id><IBAN>{COMPANY_IBAN}</IBAN></Id></CdtrAcct>"
        "</OrgnlTxRef></TxInfAndSts>"
        for p in payments
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
        "<CstmrPmtStsRpt><GrpHdr><MsgId>BENCH-RETURNS</MsgId>"
        f"<CreDtTm>{fields.Date.today()}T08:00:00</CreDtTm></GrpHdr>"
        "<OrgnlGrpInfAndSts><OrgnlMsgId>BENCH</OrgnlMsgId>"
        "<OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId></OrgnlGrpInfAndSts>"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>BENCH</OrgnlPmtInfId>{transactions}"
        "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
    ).encode()


def import_returns(orders):
    payments = orders.payment_ids.sorted("id")[:RETURNS]  # the uploaded ones
    data = base64.b64encode(return_file(payments))
    last_move = env["account.move"].search([], order="id desc", limit=1).id

    def run():
        wizard = env["payment.return.import"].create({"data_file": data})
        action = wizard.import_file()
        payment_return = env["payment.return"].browse(action["res_id"])
        payment_return.action_confirm()
        return payment_return

    payment_return, seconds, queries = timed(run)
    invoices = payments.payment_line_ids.move_line_id.move_id
    reopened = invoices.filtered(lambda m: m.payment_state == "not_paid")
    fees = env["account.move"].search_count(
        [("id", ">", last_move), ("move_type", "=", "out_invoice")]
    )
    return {
        "returns": len(payment_return.line_ids),
        "reopened_invoices": len(reopened),
        "fee_invoices": fees,
        "returns_seconds": seconds,
        "returns_queries": queries,
    }


def run():
    mode = setup_sepa(env)
    start = time.monotonic()
    subscriptions = populate(mode)
    setup_seconds = round(time.monotonic() - start, 1)
    debit_invoices = env["account.move"].search_count(
        [("payment_mode_id", "=", mode.id), ("mandate_id", "!=", False)]
    )
    order_figures, orders = build_and_send()
    result = {
        "debits": DEBITS,
        "returns": RETURNS,
        "setup_seconds": setup_seconds,
        "renewal_invoices_with_mandate": debit_invoices,
        **order_figures,
        **(import_returns(orders) if RETURNS else {}),
    }
    problems = []
    if debit_invoices != len(subscriptions):
        problems.append(f"{debit_invoices} debit invoices for {DEBITS} renewals")
    if result["debits"] != DEBITS:
        problems.append(f"{result['debits']} debits in the orders, not {DEBITS}")
    if result["rerun_added_orders"]:
        problems.append("a rerun added an order")
    if result["order_seconds"] > ORDER_TARGET:
        problems.append(
            f"order with its file took {result['order_seconds']} s "
            f"(target {ORDER_TARGET:.0f} s)"
        )
    if RETURNS and (
        result["reopened_invoices"] != RETURNS or result["fee_invoices"] != RETURNS
    ):
        problems.append(
            f"{result['reopened_invoices']} invoices reopened and "
            f"{result['fee_invoices']} fees for {RETURNS} returns"
        )
    if RETURNS and result["returns_seconds"] > RETURN_TARGET:
        problems.append(
            f"returns took {result['returns_seconds']} s (target {RETURN_TARGET:.0f} s)"
        )
    return write_results(result, problems)


sys.exit(run())
