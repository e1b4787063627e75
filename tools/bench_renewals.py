"""The nightly run of publication_crm on many subscriptions.

Run by tools/bench with `odoo shell` (which provides `env`). Makes
BENCH_SUBSCRIPTIONS subscriptions of which BENCH_DUE continuous ones end
today, in the state a nightly run would have left them yesterday (so that every
scheduled action has work: a tenth continuous ones ending later, half of them
with an overdue invoice; fixed terms to remind or to expire; a twentieth expired
a month ago, due for the win-back offer), then times
the five scheduled actions, committing as the scheduler does, and writes the
figures to BENCH_OUT as JSON. With BENCH_WORKERS=n (n > 0) the scheduled
actions enqueue their batches as queue jobs, which n bench_worker.py processes
run; each action's time then lasts until its last job is done.
"""

import json
import os
import time

from bench_clone import (
    clone_partners,
    clone_subscriptions,
    make_publication,
    template_subscription,
)

from odoo import fields

from odoo.addons.publication_crm.models.publication_automation.queue import (
    JOB_RUNNER_PARAM,
)

env = env  # noqa: F821, PLW0127 - given by odoo shell
TOTAL = int(os.environ["BENCH_SUBSCRIPTIONS"])
DUE = int(os.environ["BENCH_DUE"])
WORKERS = int(os.environ.get("BENCH_WORKERS", "0"))
CONTINUOUS_LATER = TOTAL // 10
EXPIRED = TOTAL // 20
today = fields.Date.context_today(env.user)


def populate():
    publication, continuous, fixed = make_publication(env, "Bench Weekly", "BW")
    partners = clone_partners(env, TOTAL, "Reader")
    due, later = partners[:DUE], partners[DUE : DUE + CONTINUOUS_LATER]
    expired = partners[DUE + CONTINUOUS_LATER : DUE + CONTINUOUS_LATER + EXPIRED]
    fixed_partners = partners[DUE + CONTINUOUS_LATER + EXPIRED :]
    continuous_template = template_subscription(env, publication, continuous)
    fixed_template = template_subscription(env, publication, fixed)
    clone_subscriptions(
        env,
        continuous_template,
        due,
        "%(today)s::date",
        "(%(today)s::date - interval '3 months' + interval '1 day')::date",
        "0",
    )
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
    env.cr.execute("ANALYZE")
    env.cr.commit()
    env.invalidate_all()


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
    moves_before = Move.search_count([])
    seconds = {}
    queries = {}
    jobs = {}
    start = time.monotonic()
    for cron in (
        "_cron_renew",
        "_cron_renewal_reminders",
        "_cron_dunning",
        "_cron_expire",
        "_cron_winback",
    ):
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
    invoices = Move.search_count([]) - moves_before
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


populate()
try:
    result = nightly_run()
finally:
    if WORKERS:
        open(os.environ["BENCH_STOP"], "w").close()
with open(os.environ["BENCH_OUT"], "w") as out:
    json.dump(result, out, indent=2)
print(json.dumps(result, indent=2))
