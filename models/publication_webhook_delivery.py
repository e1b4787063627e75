import hashlib
import logging
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from odoo.addons.queue_job.exception import RetryableJobError

from .publication_entitlement_snapshot import EVENTS

_logger = logging.getLogger(__name__)

TIMEOUT = 5  # seconds to connect, and to wait for the answer
# attempts before a delivery is failed (a manager retries it): after 1, 2, 4, ...
# 64 minutes, about two hours in all
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 60
# while a queue job holds deliveries, the push run does not enqueue them again;
# after that it takes them as lost (a job deleted) and enqueues them again
JOB_LEASE = timedelta(hours=1)
MAX_ERROR = 500  # characters of an error kept
# deliveries a queue job sends, one request each, committing after each
JOB_SIZE = 200
# sent deliveries are kept this long to look into, then deleted (what was
# announced is kept by the snapshots: nothing is sent again)
KEEP_SENT = timedelta(days=90)


def backoff(attempts):
    """Seconds before the next attempt after attempts failed ones."""
    return BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)


class PublicationWebhookDelivery(models.Model):
    """One change of access announced to one webhook: its signed body, kept
    as sent, and how its sending went. Created by the push run with the
    change it announces (never twice: its event id is unique by webhook),
    sent by a queue job; a delivery sent is never sent again."""

    _name = "publication.webhook.delivery"
    _description = "Webhook Delivery"
    _order = "id desc"
    _rec_name = "event_id"

    webhook_id = fields.Many2one(
        "publication.webhook", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    event_id = fields.Char(
        required=True,
        readonly=True,
        help="Unique: the receiver ignores an event it has already had.",
    )
    event = fields.Selection(EVENTS, string="Change", required=True, readonly=True)
    reader_id = fields.Many2one("res.partner", readonly=True, ondelete="set null")
    subscription_id = fields.Many2one(
        "publication.subscription", readonly=True, ondelete="set null"
    )
    publication_id = fields.Many2one(
        "publication.publication", readonly=True, ondelete="set null"
    )
    payload = fields.Text(readonly=True, help="The JSON body, as sent.")
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
        required=True,
        default="pending",
        readonly=True,
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    date_next_attempt = fields.Datetime(string="Next Attempt", readonly=True)
    date_sent = fields.Datetime(string="Sent", readonly=True)
    response_code = fields.Integer(
        readonly=True, help="HTTP status of the last answer."
    )
    error = fields.Char(string="Last Error", readonly=True)

    _event_uniq = models.Constraint(
        "UNIQUE(webhook_id, event_id)", "An event is delivered once to a webhook."
    )
    _due_idx = models.Index("(date_next_attempt) WHERE state = 'pending'")

    @api.model
    def _anonymize_reader(self, partner):
        """Erase partner's e-mail and login from the bodies of their
        deliveries, sent or not (the customer number stays: it is no personal
        data). A body not yet sent is signed when it is sent."""
        self.flush_model(["payload"])
        self.env.cr.execute(
            SQL(
                """
            UPDATE publication_webhook_delivery
               SET payload = jsonb_set(
                       payload::jsonb, '{reader}',
                       (payload::jsonb -> 'reader') || '{"email": null, "login": null}'
                   )::text
             WHERE reader_id = %s""",
                partner.id,
            )
        )
        self.invalidate_model(["payload"])

    @api.autovacuum
    def _gc_sent_deliveries(self):
        """Delete the deliveries sent more than KEEP_SENT ago; pending and
        failed ones stay."""
        self.flush_model(["state", "date_sent"])
        self.env.cr.execute(
            SQL(
                "DELETE FROM publication_webhook_delivery "
                "WHERE state = 'sent' AND date_sent < %s",
                fields.Datetime.now() - KEEP_SENT,
            )
        )
        self.invalidate_model()

    def action_retry(self):
        """Send these deliveries (not sent yet) again, their attempts counted
        anew."""
        sent = self.filtered(lambda d: d.state == "sent")
        if sent:
            raise UserError(
                self.env._(
                    "A sent delivery is not sent again: %(events)s.",
                    events=", ".join(sent.mapped("event_id")),
                )
            )
        self.check_access("write")
        deliveries = self.sudo()
        deliveries.write(
            {
                "state": "pending",
                "attempt_count": 0,
                "date_next_attempt": fields.Datetime.now(),
                "error": False,
            }
        )
        if self._queued():
            deliveries._schedule()
        else:
            self.env.ref("publication_crm.ir_cron_webhook_push")._trigger()
        return True

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _queued(self):
        return self.env["publication.automation"]._job_runner_configured()

    def _schedule(self):
        """With the job runner, queue jobs send these deliveries (held from
        the push run for JOB_LEASE); else the push run sends them when due."""
        if not self or not self._queued():
            return
        self.write({"date_next_attempt": fields.Datetime.now() + JOB_LEASE})
        for webhook, deliveries in self.grouped("webhook_id").items():
            for ids in split_every(JOB_SIZE, deliveries.ids, list):
                key = hashlib.sha1(repr(sorted(ids)).encode()).hexdigest()
                self.browse(ids).with_delay(
                    identity_key=f"publication.webhook.delivery:{key}",
                    max_retries=MAX_ATTEMPTS + 1,
                    description=self.env._(
                        "Send %(count)s changes of access to %(webhook)s",
                        count=len(ids),
                        webhook=webhook.name,
                    ),
                )._send_job()

    @api.model
    def _send_due(self):
        """The deliveries due (new, or whose retry has come, or whose job was
        lost): to queue jobs, or sent here. Returns False when the run's time
        ran out (it is triggered again)."""
        due = self.search(
            [
                ("state", "=", "pending"),
                ("date_next_attempt", "<=", fields.Datetime.now()),
            ],
            order="id",
        )
        if self._queued():
            due._schedule()
            return True
        _sent, _waiting, complete = due._send()
        if not complete:
            self.env.ref("publication_crm.ir_cron_webhook_push")._trigger()
        return complete

    def _send_job(self):
        """The queue job of deliveries: each sent unless it was sent already
        (or another job holds it), committed one by one. Those that failed
        and may be tried again make the job retry (RetryableJobError) after
        the backoff of the least tried of them."""
        sent, waiting, _complete = self.exists()._send(lease=JOB_LEASE)
        if waiting:
            raise RetryableJobError(
                f"{len(sent)} sent, {len(waiting)} to retry",
                seconds=backoff(min(waiting.mapped("attempt_count"))),
            )
        return f"{len(sent)} sent"

    def _send(self, lease=None):
        """Send these deliveries, each in its own transaction: locked, sent
        if still pending, its outcome committed. When a request gets no
        answer (the receiver is down), the rest wait for the next attempt
        too. Returns (sent, to retry, complete): complete is False when the
        scheduled action's time ran out first."""
        Cron = self.env["ir.cron"]
        sent = waiting = self.browse()
        session = requests.Session()
        todo = list(self)  # records that share their prefetching: one read
        while todo:
            delivery = todo.pop(0)._lock_pending()
            if not delivery:
                continue
            code, error = delivery._post(session)
            if code and 200 <= code < 300:
                delivery._record_sent(code)
                sent |= delivery
            else:
                unanswered = delivery
                if not code:
                    unanswered |= self.browse([d.id for d in todo])._lock_pending()
                    todo = []
                unanswered._record_failure(code, error, lease)
                waiting |= unanswered.filtered(lambda d: d.state == "pending")
            if Cron._commit_progress(1) <= 0 and todo:
                return sent, waiting, False
        return sent, waiting, True

    def _lock_pending(self):
        """Those of self still pending that no other transaction holds,
        locked until the commit."""
        if not self:
            return self
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM %s WHERE id IN %s AND state = 'pending' "
                "FOR UPDATE SKIP LOCKED",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        locked = {row[0] for row in rows}
        return self.filtered(lambda d: d.id in locked)

    def _post(self, session):
        """POST the body, signed: (status, error), status None without answer."""
        self.ensure_one()
        body = self.payload.encode()
        webhook = self.webhook_id
        try:
            response = session.post(
                webhook.url,
                data=body,
                headers=webhook._headers(self, body),
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            _logger.info(
                "webhook %s: %s unanswered: %s", webhook.id, self.event_id, error
            )
            return None, str(error)[:MAX_ERROR]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return (
            response.status_code,
            f"HTTP {response.status_code}: {response.text[:200]}",
        )

    def _record_sent(self, code):
        """Sent: one UPDATE (a job records thousands one by one)."""
        self.env.execute_query(
            SQL(
                """UPDATE %s
                      SET state = 'sent', attempt_count = attempt_count + 1,
                          date_sent = %s, date_next_attempt = NULL,
                          response_code = %s, error = NULL,
                          write_date = %s, write_uid = %s
                    WHERE id IN %s""",
                SQL.identifier(self._table),
                fields.Datetime.now(),
                code,
                fields.Datetime.now(),
                self.env.uid,
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()

    def _record_failure(self, code, error, lease=None):
        """One more failed attempt of each: the next after its backoff (plus
        lease, while a queue job retries it), or failed after MAX_ATTEMPTS."""
        self.invalidate_recordset()  # as another job may have left them
        now = fields.Datetime.now()
        for delivery in self:
            attempts = delivery.attempt_count + 1
            exhausted = attempts >= MAX_ATTEMPTS
            delivery.write(
                {
                    "attempt_count": attempts,
                    "state": "failed" if exhausted else "pending",
                    "date_next_attempt": False
                    if exhausted
                    else now
                    + timedelta(seconds=backoff(attempts))
                    + (lease or timedelta()),
                    "response_code": code or False,
                    "error": error or self.env._("No answer."),
                }
            )
