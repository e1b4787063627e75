"""Access changes of one nightly run pushed to a webhook receiver.

Run by tools/bench_webhooks with `odoo shell` (which provides `env`), beside
BENCH_WORKERS queue job workers (tools/bench_worker.py). Makes SIZE readers
with an active subscription each (copied in SQL) whose access was announced
already, then the night: half of them expire as the date passes (their last
day was yesterday: nothing is written), the other half are suspended through
the ORM. Starts a webhook receiver on 127.0.0.1 (http.server, in a thread of
this process) and times the push run (the scheduled action: one diff of the
entitlements against what was announced, the deliveries, the queue jobs)
until the workers have delivered every change. Checks that each change
arrived exactly once, signed, and that a rerun adds nothing.
Target: 2 minutes for 10,000 changes (scaled to SIZE).
"""

import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench_clone import (
    clone_partners,
    clone_subscriptions,
    make_publication,
    template_subscription,
    write_results,
)

from odoo.tools import split_every

from odoo.addons.publication_crm.models.publication_automation.queue import (
    JOB_RUNNER_PARAM,
)

env = env  # noqa: F821, PLW0127 - given by odoo shell
SIZE = int(os.environ.get("BENCH_SIZE", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
TARGET = 120.0 * SIZE / 10000
WAIT_LIMIT = max(3 * TARGET, 60.0)  # then the benchmark gives up waiting


class Receiver:
    """The publisher's endpoint: counts the event ids it receives and checks
    each signature."""

    def __init__(self, secret):
        self.events = Counter()
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real endpoint

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Publication-Timestamp"]
                expected = hmac.new(
                    secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                signed = hmac.compare_digest(
                    self.headers["X-Publication-Signature"], f"sha256={expected}"
                )
                with receiver.lock:
                    receiver.events[json.loads(body)["id"]] += 1
                    receiver.bad_signatures += not signed
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/access"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self):
        with self.lock:
            return sum(self.events.values())


def populate():
    """SIZE readers with an active subscription each, their access announced
    already (no webhook yet: nothing is delivered). Returns the
    subscriptions."""
    publication, _continuous, fixed = make_publication(env, "Bench Digital", "BD")
    template = template_subscription(env, publication, fixed)
    partner_ids = clone_partners(env, SIZE, "Reader")
    ids = clone_subscriptions(
        env,
        template,
        partner_ids,
        "%(today)s::date + 200 + g %% 100",
        "(%(today)s::date - 100)",
    )
    env.cr.execute("ANALYZE")
    env["publication.entitlement.snapshot"]._diff_and_record(10 * SIZE + 10)
    env.cr.commit()
    return env["publication.subscription"].browse(ids)


def the_night(subscriptions):
    """Half expire by the date (SQL: the date passes, nothing is written),
    half are suspended through the ORM. Returns the seconds of the ORM
    part."""
    today = env.company._publication_today()
    half = len(subscriptions) // 2
    expiring, suspended = subscriptions[:half], subscriptions[half:]
    env.cr.execute(
        "UPDATE publication_subscription SET date_end = %s WHERE id = ANY(%s)",
        [today - timedelta(days=1), expiring.ids],
    )
    start = time.monotonic()
    for batch in split_every(1000, suspended.ids, suspended.browse):
        batch._write_state({"state": "suspended"})
        env.cr.commit()
    env.invalidate_all()
    return round(time.monotonic() - start, 2)


def wait_for(receiver, count, start):
    while receiver.received() < count and time.monotonic() - start < WAIT_LIMIT:
        time.sleep(0.1)
    return round(time.monotonic() - start, 2)


def run():
    env["ir.config_parameter"].sudo().set_param(JOB_RUNNER_PARAM, "queue_job")
    start = time.monotonic()
    subscriptions = populate()
    setup_seconds = round(time.monotonic() - start, 1)
    suspend_seconds = the_night(subscriptions)
    webhook = env["publication.webhook"].create({"name": "Bench", "url": "http://x"})
    receiver = Receiver(webhook.secret)
    webhook.url = receiver.url
    env.cr.commit()
    Webhook = env["publication.webhook"]
    Delivery = env["publication.webhook.delivery"]
    load = os.getloadavg()  # the machine's, with its other processes
    start = time.monotonic()
    Webhook._cron_push()
    env.cr.commit()
    diff_seconds = round(time.monotonic() - start, 2)
    deliveries = Delivery.search([])
    jobs = env["queue.job"].search_count([("model_name", "=", Delivery._name)])
    delivered_seconds = wait_for(receiver, len(deliveries), start)
    time.sleep(1)  # a duplicate would arrive now
    env.invalidate_all()
    rerun_start = time.monotonic()
    Webhook._cron_push()
    env.cr.commit()
    rerun_seconds = round(time.monotonic() - rerun_start, 2)
    env.invalidate_all()
    states = Counter(Delivery.search([]).mapped("state"))
    expected = set(deliveries.mapped("event_id"))
    events = Counter(deliveries.mapped("event"))
    result = {
        "size": SIZE,
        "workers": WORKERS,
        "setup_seconds": setup_seconds,
        "suspend_orm_seconds": suspend_seconds,
        "changes": len(deliveries),
        "revoked": events["revoked"],
        "diff_and_enqueue_seconds": diff_seconds,
        "queue_jobs": jobs,
        "delivered_seconds": delivered_seconds,
        "deliveries_per_second": round(len(deliveries) / delivered_seconds, 1),
        "received": receiver.received(),
        "received_distinct": len(receiver.events),
        "duplicates": sum(n - 1 for n in receiver.events.values() if n > 1),
        "missing": len(expected - set(receiver.events)),
        "unexpected": len(set(receiver.events) - expected),
        "bad_signatures": receiver.bad_signatures,
        "rerun_new_deliveries": Delivery.search_count([]) - len(deliveries),
        "rerun_seconds": rerun_seconds,
        "delivery_states": dict(states),
        "failed_jobs": env["queue.job"].search_count([("state", "=", "failed")]),
        "load_average": f"{load} / {os.getloadavg()}",
    }
    problems = []
    if len(deliveries) != SIZE or events["revoked"] != SIZE:
        problems.append(f"{len(deliveries)} changes found ({dict(events)}), not {SIZE}")
    for key in ("duplicates", "missing", "unexpected", "bad_signatures"):
        if result[key]:
            problems.append(f"{result[key]} {key.replace('_', ' ')}")
    if result["rerun_new_deliveries"]:
        problems.append("a rerun created deliveries")
    if states.get("sent") != len(deliveries):
        problems.append(f"deliveries not all sent: {dict(states)}")
    if result["failed_jobs"]:
        problems.append(f"{result['failed_jobs']} queue jobs failed")
    if delivered_seconds > TARGET:
        problems.append(
            f"delivered in {delivered_seconds} s (target {TARGET:.0f} s for {SIZE})"
        )
    return write_results(result, problems)


def main():
    try:
        return run()
    finally:
        open(os.environ["BENCH_STOP"], "w").close()


sys.exit(main())
