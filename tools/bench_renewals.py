"""The nightly run of publication_crm on many subscriptions.

Run by tools/bench with `odoo shell` (which provides `env`). Makes
BENCH_SUBSCRIPTIONS subscriptions of which BENCH_DUE continuous ones end
today, in the state a nightly run would have left them yesterday (so that every
scheduled action has work: a tenth continuous ones ending later, half of them
with an overdue invoice; fixed terms to remind or to expire; a twentieth expired
a month ago, due for the win-back offer). Of the payers due, BENCH_CARDS
(default a quarter) pay by a saved card of the demo provider (every
twentieth card is refused) and the next BENCH_DEBITS (default a third) have a
valid SEPA mandate with the company's direct debit mode. Then times the
scheduled actions of the night, committing as the scheduler does: the
renewal, the card charges and the direct debit orders of its invoices, the
reminders, the dunning, the expiry and the win-back offers. Writes the figures
to BENCH_OUT as JSON and fails when a card payer due was not charged exactly
once or a mandate payer's renewal invoice is not in a draft direct debit order
exactly once. With BENCH_WORKERS=n (n > 0) the scheduled actions enqueue
their batches as queue jobs, which n bench_worker.py processes run; each
action's time then lasts until its last job is done.
"""

import os
import sys
import time
from contextlib import closing

from bench_clone import (
    clone_mandates,
    clone_partners,
    clone_subscriptions,
    make_publication,
    save_cards,
    setup_sepa,
    template_subscription,
    write_results,
)

from odoo import fields, sql_db

from odoo.addons.publication_crm.models.publication_automation.queue import (
    JOB_RUNNER_PARAM,
)

env = env  # noqa: F821, PLW0127 - given by odoo shell
TOTAL = int(os.environ["BENCH_SUBSCRIPTIONS"])
DUE = int(os.environ["BENCH_DUE"])
WORKERS = int(os.environ.get("BENCH_WORKERS", "0"))
CONTINUOUS_LATER = TOTAL // 10
EXPIRED = TOTAL // 20
CARDS = int(os.environ.get("BENCH_CARDS") or DUE // 4)
DEBITS = int(os.environ.get("BENCH_DEBITS") or DUE // 3)
REFUSED_EVERY = 20  # every twentieth saved card refuses the charge
NIGHTLY_CRONS = (
    "_cron_renew",
    "_cron_card_charges",
    "_cron_direct_debit_collection",
    "_cron_renewal_reminders",
    "_cron_dunning",
    "_cron_expire",
    "_cron_winback",
)
today = fields.Date.context_today(env.user)


def populate(mode):
    """The subscriptions; returns the ids of those due paid by card and of
    those due paid by direct debit."""
    publication, continuous, fixed = make_publication(env, "Bench Weekly", "BW")
    partners = clone_partners(env, TOTAL, "Reader")
    due, later = partners[:DUE], partners[DUE : DUE + CONTINUOUS_LATER]
    expired = partners[DUE + CONTINUOUS_LATER : DUE + CONTINUOUS_LATER + EXPIRED]
    fixed_partners = partners[DUE + CONTINUOUS_LATER + EXPIRED :]
    continuous_template = template_subscription(env, publication, continuous)
    fixed_template = template_subscription(env, publication, fixed)
    due_ids = clone_subscriptions(
        env,
        continuous_template,
        due,
        "%(today)s::date",
        "(%(today)s::date - interval '3 months' + interval '1 day')::date",
        "0",
    )
    if CARDS:
        save_cards(env, due_ids[:CARDS], due[:CARDS], REFUSED_EVERY)
    if DEBITS:
        clone_mandates(env, due[CARDS : CARDS + DEBITS], mode)
    later_end = "%(today)s::date + 1 + g %% 89"
    later_start = f"({later_end} - interval '3 months' + interval '1 day')::date"
    half = len(later) // 2
    clone_subscriptions(
        env, continuous_template, later[:half], later_end, later_start, "0"
    )
    clone_subscriptions(
        env, continuous_template, later[half:], later_end, later_start, "0", unpaid=True
    )
    # expired 30 to 59 days ago: the win-back offer is due
    expired_end = "%(today)s::date - 30 - g %% 30"
    clone_subscriptions(
        env,
        fixed_template,
        expired,
        expired_end,
        f"({expired_end} - interval '1 year' + interval '1 day')::date",
        "3",
        state="expired",
    )
    # fixed terms ending from 15 days ago to next year; yesterday's run sent the
    # reminders that were due (30, 14 and 3 days before the end)
    end = "%(today)s::date - 15 + g %% 365"
    clone_subscriptions(
        env,
        fixed_template,
        fixed_partners,
        end,
        f"({end} - interval '1 year' + interval '1 day')::date",
        f"""CASE WHEN {end} - %(today)s::date >= 30 THEN 0
                 WHEN {end} - %(today)s::date >= 14 THEN 30
                 WHEN {end} - %(today)s::date >= 3 THEN 14 ELSE 3 END""",
    )
    env.cr.commit()
    settle()
    env.invalidate_all()
    return due_ids[:CARDS], due_ids[CARDS : CARDS + DEBITS]


def settle():
    """Leaves the register as a living database's autovacuum would have left
    it (visibility map and hint bits set, statistics current) and writes the
    pages the cloning dirtied, so that the run does not pay for the cloning."""
    with closing(sql_db.db_connect(env.cr.dbname).cursor()) as cr:
        cr._cnx.autocommit = True  # VACUUM runs outside a transaction
        cr.execute("VACUUM ANALYZE")
        cr.execute("SHOW is_superuser")
        if cr.fetchone()[0] == "on":  # CHECKPOINT is a superuser's right
            cr.execute("CHECKPOINT")


def wait_for_jobs():
    """Until the queue has no job left to run (the workers commit them)."""
    while True:
        env.cr.execute(
            "SELECT count(*) FROM queue_job"
            " WHERE state IN ('wait_dependencies', 'pending', 'enqueued', 'started')"
        )
        if not env.cr.fetchone()[0]:
            return
        env.cr.rollback()
        time.sleep(0.1)


def job_statistics(after_id):
    """Jobs done since job after_id: how many, their mean and longest
    execution time and their retries (a concurrent update sends a job back;
    queue_job counts the first try as 1)."""
    env.cr.execute(
        """SELECT count(*), avg(exec_time), max(exec_time),
                  coalesce(sum(retry - 1), 0)
             FROM queue_job WHERE id > %s AND state = 'done'""",
        (after_id,),
    )
    count, mean, longest, retries = env.cr.fetchone()
    return {
        "jobs": count,
        "mean_seconds": round(mean or 0, 2),
        "max_seconds": round(longest or 0, 2),
        "retries": retries,
    }


def last_job_id():
    env.cr.execute("SELECT coalesce(max(id), 0) FROM queue_job")
    return env.cr.fetchone()[0]


def nightly_run():
    Automation = env["publication.automation"]
    if WORKERS:
        env["ir.config_parameter"].set_param(JOB_RUNNER_PARAM, "queue_job")
    Move = env["account.move"]
    Event = env["publication.renewal.event"]
    invoices = [("move_type", "=", "out_invoice")]
    moves_before = Move.search_count(invoices)
    seconds = {}
    queries = {}
    jobs = {}
    start = time.monotonic()
    for cron in NIGHTLY_CRONS:
        cron_start = time.monotonic()
        cron_queries = env.cr.sql_log_count
        first_job = last_job_id() if WORKERS else 0
        while not getattr(Automation, cron)():
            pass
        env.cr.commit()
        if WORKERS:
            wait_for_jobs()
            jobs[cron] = job_statistics(first_job)
        seconds[cron] = round(time.monotonic() - cron_start, 1)
        queries[cron] = env.cr.sql_log_count - cron_queries
    total = time.monotonic() - start
    invoices = Move.search_count(invoices) - moves_before
    failed_jobs = env["queue.job"].search_count([("state", "=", "failed")])
    events = dict(Event._read_group([], ["kind"], ["__count"]))
    return {
        "subscriptions": env["publication.subscription"].search_count([]),
        "due": DUE,
        "workers": WORKERS,
        "failed_jobs": failed_jobs,
        "invoices": invoices,
        "events": events,
        "seconds": seconds,
        "total_seconds": round(total, 1),
        "renewal_invoices_per_second": round(invoices / seconds["_cron_renew"], 1),
        # in the workers' processes when there are workers
        "queries_per_renewal": None
        if WORKERS
        else round(queries["_cron_renew"] / DUE, 1),
        "queries": queries,
        "jobs": jobs,
    }


def card_charges(subscription_ids):
    """The charges of the renewal invoices of subscription_ids: per invoice,
    its payment transactions, those done and those refused."""
    env.cr.execute(
        """SELECT p.card_charge_state, count(tx.id),
                  count(tx.id) FILTER (WHERE tx.state = 'done'),
                  count(tx.id) FILTER (WHERE tx.state IN ('error', 'cancel'))
             FROM publication_subscription_period p
        LEFT JOIN account_invoice_transaction_rel r ON r.invoice_id = p.invoice_id
        LEFT JOIN payment_transaction tx ON tx.id = r.transaction_id
            WHERE p.subscription_id = ANY(%s) AND p.date_start > %s
         GROUP BY p.id""",
        (subscription_ids, today),
    )
    rows = env.cr.fetchall()
    return {
        "card_payers": len(subscription_ids),
        "renewals": len(rows),
        "charged_once": sum(1 for _state, txs, _d, _f in rows if txs == 1),
        "done": sum(done for _state, _txs, done, _f in rows),
        "failed": sum(failed for _state, _txs, _d, failed in rows),
        "paid": sum(1 for state, _txs, _d, _f in rows if state == "paid"),
        "to_retry": sum(1 for state, _txs, _d, _f in rows if state == "due"),
    }


def direct_debits(subscription_ids, mode):
    """The debits of the draft payment orders of mode: how many orders and
    debits, and how many renewal invoices of subscription_ids are in exactly
    one debit."""
    orders = env["account.payment.order"].search(
        [("payment_mode_id", "=", mode.id), ("state", "=", "draft")]
    )
    env.cr.execute(
        """SELECT count(pl.id)
             FROM publication_subscription_period p
             JOIN account_move_line aml ON aml.move_id = p.invoice_id
        LEFT JOIN account_payment_line pl
               ON pl.move_line_id = aml.id AND pl.order_id = ANY(%s)
            WHERE p.subscription_id = ANY(%s) AND p.date_start > %s
              AND aml.display_type = 'payment_term'
         GROUP BY p.id""",
        (orders.ids, subscription_ids, today),
    )
    counts = [row[0] for row in env.cr.fetchall()]
    return {
        "mandate_payers": len(subscription_ids),
        "renewals": len(counts),
        "in_one_debit": counts.count(1),
        "orders": len(orders),
        "debits": len(orders.payment_line_ids),
    }


def check(result):
    """What is wrong in the nightly run's result."""
    problems = []
    cards, debits = result["cards"], result["direct_debits"]
    if cards["charged_once"] != cards["card_payers"]:
        problems.append(
            f"{cards['card_payers'] - cards['charged_once']} of "
            f"{cards['card_payers']} card payers due not charged exactly once"
        )
    if cards["paid"] != cards["done"]:
        problems.append(f"{cards['done']} charges done, {cards['paid']} paid")
    if debits["in_one_debit"] != debits["mandate_payers"]:
        problems.append(
            f"{debits['mandate_payers'] - debits['in_one_debit']} of "
            f"{debits['mandate_payers']} mandate payers' renewal invoices not in "
            "a draft direct debit order exactly once"
        )
    if debits["debits"] != debits["mandate_payers"]:
        problems.append(
            f"{debits['debits']} debits in the orders for "
            f"{debits['mandate_payers']} mandate payers"
        )
    if result["failed_jobs"]:
        problems.append(f"{result['failed_jobs']} queue jobs failed")
    return problems


def main():
    mode = setup_sepa(env)
    card_ids, debit_ids = populate(mode)
    try:
        result = nightly_run()
    finally:
        if WORKERS:
            open(os.environ["BENCH_STOP"], "w").close()
    result["cards"] = card_charges(card_ids)
    result["direct_debits"] = direct_debits(debit_ids, mode)
    return write_results(result, check(result))


sys.exit(main())
