"""What the chatter costs in one renewal batch, in one process.

Run by tools/bench_batch with `odoo shell` (which provides `env`). Makes
continuous subscriptions that all end today, then renews them in batches of
BATCH (as the scheduled action does, committing each) with the subscriptions'
tracking of the new end logged in three ways, taking turns on equal batches:
  batch       as publication_crm does: the batch's messages created at once;
  per_record  as Odoo's mail.thread does by default: a message per record at
              commit;
  none        no tracking at all (what a user would no longer see).
A warm-up batch comes first. Writes seconds and queries per batch, tracking
values per renewal and the messages written on the invoices to BENCH_OUT;
fails when the batch does not log what Odoo logs or needs more queries.
"""

import os
import sys
import time

from bench_clone import (
    clone_partners,
    clone_subscriptions,
    make_publication,
    template_subscription,
    write_results,
)

env = env  # noqa: F821, PLW0127 - given by odoo shell
BATCH = int(os.environ.get("BENCH_BATCH", "200"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
VARIANTS = ("batch", "per_record", "none")
Subscription = type(env["publication.subscription"])
batched_write = Subscription._write_tracked_in_batch
WRITES = {
    "batch": batched_write,
    "per_record": lambda self, vals: self.write(vals),
    "none": lambda self, vals: self.with_context(tracking_disable=True).write(vals),
}


def populate():
    publication, continuous, _fixed = make_publication(env, "Bench Daily", "BD")
    count = BATCH * (1 + ROUNDS * len(VARIANTS))
    template = template_subscription(env, publication, continuous)
    clone_subscriptions(
        env,
        template,
        clone_partners(env, count, "Reader"),
        "%(today)s::date",
        "(%(today)s::date - interval '3 months' + interval '1 day')::date",
    )
    env.cr.execute("ANALYZE")
    env.cr.commit()
    env.invalidate_all()
    return env["publication.subscription"].search(
        [("id", "!=", template.id), ("publication_id", "=", publication.id)],
        order="id",
    )


def last_id(model):
    return env[model].search([], order="id desc", limit=1).id or 0


def renew(subscriptions, variant):
    """Renew subscriptions as one batch of the scheduled action; its seconds,
    queries and tracking values."""
    Subscription._write_tracked_in_batch = WRITES[variant]
    last_tracking = last_id("mail.tracking.value")
    queries = env.cr.sql_log_count
    start = time.monotonic()
    try:
        subscriptions._renew()
        env.cr.commit()  # Odoo logs the per-record tracking here
    finally:
        Subscription._write_tracked_in_batch = batched_write
    seconds = time.monotonic() - start
    env.invalidate_all()
    return {
        "seconds": seconds,
        "queries": env.cr.sql_log_count - queries,
        "tracking_values": last_id("mail.tracking.value") - last_tracking,
    }


def run():
    subscriptions = populate()
    batches = [
        subscriptions[i : i + BATCH] for i in range(0, len(subscriptions), BATCH)
    ]
    last_move = last_id("account.move")
    renew(batches[0], "batch")  # warm-up
    measured = {variant: [] for variant in VARIANTS}
    for n, batch in enumerate(batches[1:]):
        variant = VARIANTS[n % len(VARIANTS)]
        measured[variant].append(renew(batch, variant))
    variants = {
        variant: {
            "seconds_per_batch": round(sum(r["seconds"] for r in runs) / len(runs), 2),
            "queries_per_renewal": round(
                sum(r["queries"] for r in runs) / len(runs) / BATCH, 2
            ),
            "tracking_values_per_renewal": round(
                sum(r["tracking_values"] for r in runs) / len(runs) / BATCH, 2
            ),
        }
        for variant, runs in measured.items()
    }
    invoices = env["account.move"].search_count([("id", ">", last_move)])
    invoice_messages = env["mail.message"].search_count(
        [("model", "=", "account.move"), ("res_id", ">", last_move)]
    )
    result = {
        "batch": BATCH,
        "rounds": ROUNDS,
        "invoices": invoices,
        "messages_on_invoices": invoice_messages,
        "variants": variants,
    }
    batch, per_record = variants["batch"], variants["per_record"]
    problems = []
    if invoices != len(subscriptions):
        problems.append(f"{invoices} invoices for {len(subscriptions)} renewals")
    if (
        batch["tracking_values_per_renewal"]
        != per_record["tracking_values_per_renewal"]
    ):
        problems.append("the batch does not log the tracking Odoo logs")
    if not batch["tracking_values_per_renewal"]:
        problems.append("no tracking was logged")
    if batch["queries_per_renewal"] >= per_record["queries_per_renewal"]:
        problems.append("logging the batch at once saves no query")
    return write_results(result, problems)


sys.exit(run())
