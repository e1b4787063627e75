"""Access webhooks: every grant, change and loss of access pushed, signed, to
a receiver (a real HTTP server on this machine), with retries; never lost,
never sent twice."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.publication_crm.models import publication_webhook_delivery
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CronCommits
from .test_entitlements import EntitlementCommon


class Receiver:
    """A webhook receiver on 127.0.0.1: records each request (headers and
    body) and answers the next status of `statuses` (200 when none is left)."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/access"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self):
        return [json.loads(body) for _headers, body in self.requests]


@tagged("post_install", "-at_install")
class TestWebhooks(EntitlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # what the database holds (its demo data) is announced already
        cls.env["publication.entitlement.snapshot"]._diff_and_record(10**9)
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.stop)
        cls.webhook = (
            cls.env["publication.webhook"]
            .with_user(cls.manager)
            .create({"name": "Paywall", "url": cls.receiver.url})
        )

    def setUp(self):
        super().setUp()
        self.receiver.requests.clear()
        self.receiver.statuses.clear()
        self.commits = CronCommits(self.env)
        patcher = patch.object(
            self.registry["ir.cron"], "_commit_progress", autospec=True
        )
        patcher.start().side_effect = self._commit_progress
        self.addCleanup(patcher.stop)
        self.addCleanup(self.commits.done)

    def _commit_progress(self, cron, processed=0, **kwargs):
        """A scheduled action's commit as a savepoint (CronCommits); a queue
        job's, on its own test cursor, as that cursor's commit."""
        if cron.env.cr is self.env.cr:
            return self.commits(cron, processed, **kwargs)
        cron.env.cr.commit()
        return float("inf")

    def _push(self):
        """The scheduled action, as the scheduler runs it; returns the
        deliveries it created."""
        Delivery = self.env["publication.webhook.delivery"]
        before = Delivery.search([])
        self.assertTrue(self.env["publication.webhook"]._cron_push())
        self.env.invalidate_all()
        return Delivery.search([]) - before

    def _verify(self, headers, body):
        """What the receiver does: check the signature with the secret."""
        timestamp = headers["X-Publication-Timestamp"]
        expected = hmac.new(
            self.webhook.secret.encode(),
            timestamp.encode() + b"." + body,
            hashlib.sha256,
        ).hexdigest()
        return hmac.compare_digest(
            headers["X-Publication-Signature"], f"sha256={expected}"
        )

    def test_grant_is_pushed_signed_in_the_lookups_terms(self):
        subscription = self._open(self.reader)
        delivery = self._push()
        self.assertRecordValues(
            delivery,
            [
                {
                    "webhook_id": self.webhook.id,
                    "event": "granted",
                    "state": "sent",
                    "attempt_count": 1,
                    "response_code": 200,
                    "subscription_id": subscription.id,
                }
            ],
        )
        [(headers, body)] = self.receiver.requests
        self.assertTrue(self._verify(headers, body))
        self.assertFalse(self._verify(headers, body + b" "), "a changed body fails")
        event = json.loads(body)
        self.assertEqual(headers["X-Publication-Event"], event["id"])
        self.assertEqual(event["id"], delivery.event_id)
        self.assertEqual(
            set(event), {"id", "type", "created", "reader", "access", "entitlement"}
        )
        self.assertEqual(event["type"], "entitlement.granted")
        self.assertTrue(event["access"])
        self.assertEqual(
            event["reader"],
            {
                "customer": self.reader.id,
                "email": "reader@entitlements.example.com",
                "login": "reader@entitlements.example.com",
            },
        )
        [terms] = self.env["publication.entitlement"]._lookup(
            "customer", self.reader.id
        )
        self.assertEqual(event["entitlement"], terms)

    def test_grant_change_and_loss_are_pushed_once_each(self):
        subscription = self._open(self.reader)
        self.assertEqual(self._push().event, "granted")
        self.assertFalse(self._push(), "a rerun finds nothing new")
        later = self.today + timedelta(days=10)
        subscription._cancel(later, self.reason_moved)  # access until then
        changed = self._push()
        self.assertEqual(changed.event, "changed")
        self.assertEqual(
            json.loads(changed.payload)["entitlement"]["until"], str(later)
        )
        subscription._expire()
        revoked = self._push()
        self.assertEqual(revoked.event, "revoked")
        event = json.loads(revoked.payload)
        self.assertEqual(
            (event["type"], event["access"]), ("entitlement.revoked", False)
        )
        self.assertFalse(self._push())
        events = self.receiver.events()
        self.assertEqual(
            [e["type"] for e in events],
            ["entitlement.granted", "entitlement.changed", "entitlement.revoked"],
        )
        self.assertEqual(len({e["id"] for e in events}), 3, "an id for each event")

    def test_sent_deliveries_are_deleted_after_90_days_and_not_sent_again(self):
        subscription = self._open(self.reader)
        delivery = self._push().sudo()
        self.assertEqual(delivery.state, "sent")
        pending = delivery.copy({"event_id": "pending", "state": "pending"})
        failed = delivery.copy({"event_id": "failed", "state": "failed"})
        deliveries = self.env["publication.webhook.delivery"]
        deliveries._gc_sent_deliveries()
        self.assertTrue(delivery.exists(), "sent 0 days ago: kept")
        delivery.date_sent -= timedelta(days=91)
        deliveries._gc_sent_deliveries()
        self.assertFalse(delivery.exists())
        self.assertEqual((pending | failed).exists(), pending | failed)
        self.assertFalse(self._push(), "the snapshot remembers what was announced")
        subscription._expire()
        self.assertEqual(self._push().event, "revoked")

    def test_expiry_by_the_date_alone_is_pushed(self):
        subscription = self._open(self.reader)
        self._push()
        # the date passes: nothing is written through the ORM
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE publication_subscription SET date_end = %s WHERE id = %s",
            [self.today - timedelta(days=1), subscription.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self._push().event, "revoked")

    def test_a_write_of_state_triggers_the_push(self):
        self.env.cr.precommit.data.pop("publication.webhook.push", None)  # anew
        cron = self.env.ref("publication_crm.ir_cron_webhook_push")
        Trigger = self.env["ir.cron.trigger"]
        subscription = self._open(self.reader)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1)
        subscription._expire()  # the same transaction: triggered already
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1)

    def test_publication_filter_and_company(self):
        self.webhook.publication_ids = self.daily
        self._open(self.reader)  # the monthly
        self.assertFalse(self._push())
        self.webhook.publication_ids = False
        self.assertEqual(len(self._push()), 0, "announced already: not again")
        self._open(self._reader("Kalle"), self.plan_monthly_digital)
        self.assertEqual(len(self._push()), 1)

    def test_failing_receiver_is_retried_then_sent_once(self):
        self._use_job_runner()
        self.receiver.statuses = [500]
        self._open(self.reader)
        with trap_jobs() as trap:
            delivery = self._push()
            self.assertEqual(delivery.state, "pending", "sent by a queue job")
            self.assertFalse(self.receiver.requests)
            [job] = trap.enqueued_jobs
            self.assertEqual(job.channel, "root.publication_webhook")
            self.assertTrue(job.job_config.allow_commit)
            self.registry_enter_test_mode()  # the job's own cursor
            # not assertRaises: its savepoint would undo what the job committed
            try:
                job.perform()
                self.fail("the job does not retry")
            except RetryableJobError as retry:
                self.assertEqual(retry.seconds, 60, "the backoff of a first attempt")
            self.env.invalidate_all()  # written through the job's cursor
            self.assertRecordValues(
                delivery,
                [{"state": "pending", "attempt_count": 1, "response_code": 500}],
            )
            self.assertFalse(self._push(), "a rerun while the job waits adds nothing")
            self.assertEqual(len(trap.enqueued_jobs), 1, "nor enqueues it again")
            job.perform()
            self.env.invalidate_all()
            self.assertRecordValues(
                delivery,
                [{"state": "sent", "attempt_count": 2, "response_code": 200}],
            )
            job.perform()  # again, as after a lost "done"
            self._push()
        self.assertEqual(
            [
                headers["X-Publication-Event"]
                for headers, _body in self.receiver.requests
            ],
            [delivery.event_id] * 2,
            "the failed attempt, then once",
        )
        self.assertTrue(
            all(self._verify(*request) for request in self.receiver.requests)
        )
        with self.assertRaises(UserError):
            delivery.with_user(self.manager).action_retry()

    def test_receiver_down_fails_after_the_attempts_then_a_manager_retries(self):
        self.patch(publication_webhook_delivery, "MAX_ATTEMPTS", 2)
        self._open(self.reader)
        self._open(self._reader("Kalle"))
        self.webhook.url = "http://127.0.0.1:9/closed"
        deliveries = self._push()
        self.assertRecordValues(
            deliveries, [{"state": "pending", "attempt_count": 1}] * 2
        )
        self.assertFalse(self._push(), "not due yet")
        deliveries.sudo().date_next_attempt = self.env.cr.now() - timedelta(seconds=1)
        self._push()
        self.assertEqual(deliveries.mapped("state"), ["failed", "failed"])
        self.assertTrue(all(deliveries.mapped("error")))
        self.webhook.url = self.receiver.url
        deliveries.with_user(self.manager).action_retry()
        self.assertEqual(deliveries.mapped("attempt_count"), [0, 0])
        self._push()  # the retry triggered it
        self.assertEqual(deliveries.mapped("state"), ["sent", "sent"])
        self.assertEqual(len(self.receiver.requests), 2)

    def test_access(self):
        Webhook = self.env["publication.webhook"]
        with self.assertRaises(AccessError):
            Webhook.with_user(self.user).search([])
        with self.assertRaises(AccessError):
            self.env["publication.webhook.delivery"].with_user(self.user).search([])
        with self.assertRaises(AccessError):
            Webhook.with_user(self.lookup_user).search([])
        with self.assertRaisesRegex(ValidationError, "ftp://example.com"):
            Webhook.with_user(self.manager).create(
                {"name": "Bad", "url": "ftp://example.com"}
            )
        self.assertTrue(self.webhook.with_user(self.manager).secret)
        other = self.env["res.company"].create({"name": "Other Press"})
        foreign = Webhook.create(
            {"name": "Elsewhere", "url": "https://example.com", "company_id": other.id}
        )
        self.assertNotIn(foreign, Webhook.with_user(self.manager).search([]))
