"""Two nightly runs at once, for real: two threads, each with its own database
transaction, run the renewal and the reminder scheduled actions on the same
due subscriptions at the same moment. Each due subscription must be renewed,
invoiced and reminded exactly once.

Run by tools/check with `odoo shell` (which provides `env`) after the tests;
exits non-zero on any duplicate, gap or recorded failure.
"""

import sys
import threading
from collections import Counter
from datetime import timedelta

from bench_clone import make_publication
from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields

from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)

env = env  # noqa: F821, PLW0127 - given by odoo shell
RENEWALS = 120
REMINDERS = 60
today = fields.Date.context_today(env.user)


def make_due_subscriptions():
    code = f"CC{env['publication.publication'].search_count([])}"
    publication, continuous, fixed = make_publication(env, "Concurrency Monthly", code)
    plans = {"continuous": continuous, "fixed": fixed}
    partners = env["res.partner"].create(
        [
            {"name": f"Concurrent reader {n}", "email": f"c{n}@example.com"}
            for n in range(RENEWALS + REMINDERS)
        ]
    )
    starts = {
        "continuous": today - relativedelta(months=3) + timedelta(days=1),
        "fixed": today + timedelta(days=3) - relativedelta(years=1) + timedelta(days=1),
    }
    subscriptions = env["publication.subscription"].create(
        [
            {
                "recipient_id": partner.id,
                "publication_id": publication.id,
                "plan_id": plans[kind].id,
                "date_start": starts[kind],
            }
            for n, partner in enumerate(partners)
            for kind in ["continuous" if n < RENEWALS else "fixed"]
        ]
    )
    subscriptions.action_confirm()
    env.cr.commit()
    return subscriptions


def nightly_run(done):
    """One scheduler worker: its own transaction, the two scheduled actions."""
    with env.registry.cursor() as cr:
        worker_env = api.Environment(cr, SUPERUSER_ID, {})
        Automation = worker_env["publication.automation"]
        barrier.wait()
        for cron in ("_cron_renew", "_cron_renewal_reminders"):
            for _attempt in range(50):
                if getattr(Automation, cron)():
                    break
        done[threading.current_thread().name] = True


subscriptions = make_due_subscriptions()
publication_automation.BATCH_SIZE = 10  # many batches, so the two runs interleave
original_process = publication_automation.PublicationAutomation._process
worked = Counter()


def counting_process(self, records, *args, **kwargs):
    worked[threading.current_thread().name] += len(records)
    return original_process(self, records, *args, **kwargs)


publication_automation.PublicationAutomation._process = counting_process
barrier = threading.Barrier(2)
done = {}
threads = [
    threading.Thread(target=nightly_run, args=(done,), name=f"run {n}") for n in (1, 2)
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
publication_automation.PublicationAutomation._process = original_process

env.invalidate_all()
renewed = subscriptions[:RENEWALS]
reminded = subscriptions[RENEWALS:]
Event = env["publication.renewal.event"]
problems = []
if len(done) != 2:
    problems.append(f"a run did not finish: {done}")
periods = Counter(period.subscription_id.id for period in renewed.period_ids)
invoices = Counter(
    period.subscription_id.id for period in renewed.period_ids if period.invoice_id
)
if set(periods.values()) != {2} or set(invoices.values()) != {2}:
    problems.append(
        f"periods {Counter(periods.values())}, invoices {Counter(invoices.values())}"
    )
renewals = Event.search_count(
    [("subscription_id", "in", renewed.ids), ("kind", "=", "renewal")]
)
reminders = Counter(
    Event.search(
        [("subscription_id", "in", reminded.ids), ("kind", "=", "reminder")]
    ).subscription_id.ids
)
mails = Counter(
    env["mail.message"]
    .search(
        [
            ("model", "=", "publication.subscription"),
            ("res_id", "in", reminded.ids),
            ("message_type", "=", "comment"),
        ]
    )
    .mapped("res_id")
)
if renewals != RENEWALS:
    problems.append(f"{renewals} renewal events for {RENEWALS} renewals")
if len(reminders) != REMINDERS or set(reminders.values()) != {1}:
    problems.append(f"reminder events per subscription: {Counter(reminders.values())}")
if len(mails) != REMINDERS or set(mails.values()) != {1}:
    problems.append(f"reminder messages per subscription: {Counter(mails.values())}")
failed = subscriptions.filtered("automation_error")
if failed:
    problems.append(f"recorded failures: {failed.mapped('automation_error')[:3]}")
print(
    f"two runs at once: {RENEWALS} renewals and {REMINDERS} reminders, each once; "
    f"records handled per run: {dict(worked)}"
)
for problem in problems:
    print("FAILED:", problem)
env.cr.rollback()
sys.exit(1 if problems else 0)
