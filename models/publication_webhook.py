import hashlib
import hmac
import logging
import secrets
import time
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

# differences recorded (with their deliveries) by one statement, then committed
DIFF_BATCH = 5000
# a taken up advisory lock: one push run at a time (its diff must not race)
PUSH_LOCK = int.from_bytes(hashlib.sha1(b"publication.webhook.push").digest()[:4])


def sign(secret, timestamp, body):
    """The signature of body sent at timestamp (Unix seconds, text): the
    hex HMAC-SHA256, with the webhook's secret, of "<timestamp>.<body>"."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _new_secret():
    return secrets.token_urlsafe(32)


class PublicationWebhook(models.Model):
    """A URL of the publisher's servers (paywall, e-paper, website) told of
    every grant, change and loss of access, so that they need not poll the
    entitlement look-up. Each change is one POST of a JSON body signed with
    the webhook's secret, from a queue job with retries; the deliveries are
    the log."""

    _name = "publication.webhook"
    _description = "Access Webhook"
    _order = "name, id"

    name = fields.Char(required=True)
    url = fields.Char(
        string="URL",
        required=True,
        help="Receives a POST for each change of a reader's access (https).",
    )
    secret = fields.Char(
        required=True,
        copy=False,
        default=lambda self: _new_secret(),
        groups="publication_crm.group_publication_manager",
        help="Signs each body: the receiver checks the header "
        "X-Publication-Signature with it.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    publication_ids = fields.Many2many(
        "publication.publication",
        "publication_webhook_publication_rel",
        "webhook_id",
        "publication_id",
        string="Publications",
        help="Only the changes of these publications; all of the company's when empty.",
    )
    delivery_ids = fields.One2many("publication.webhook.delivery", "webhook_id")
    pending_count = fields.Integer(compute="_compute_delivery_counts")
    failed_count = fields.Integer(compute="_compute_delivery_counts")

    @api.constrains("url")
    def _check_url(self):
        for webhook in self:
            url = urlsplit(webhook.url or "")
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ValidationError(
                    self.env._(
                        "URL of webhook %(name)s must be an http or https address, "
                        "not %(url)s.",
                        name=webhook.name,
                        url=webhook.url,
                    )
                )

    def _compute_delivery_counts(self):
        counts = {
            (webhook.id, state): count
            for webhook, state, count in self.env[
                "publication.webhook.delivery"
            ]._read_group(
                [
                    ("webhook_id", "in", self.ids),
                    ("state", "in", ("pending", "failed")),
                ],
                ["webhook_id", "state"],
                ["__count"],
            )
        }
        for webhook in self:
            webhook.pending_count = counts.get((webhook.id, "pending"), 0)
            webhook.failed_count = counts.get((webhook.id, "failed"), 0)

    def action_new_secret(self):
        """A new secret: the receiver must then check with it."""
        for webhook in self:
            webhook.secret = _new_secret()

    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_webhook_delivery_action"
        )
        action["domain"] = [("webhook_id", "=", self.id)]
        action["context"] = {"search_default_not_sent": 1}
        return action

    def _headers(self, delivery, body):
        """The headers of a delivery's request, signed now."""
        self.ensure_one()
        timestamp = str(int(time.time()))
        return {
            "Content-Type": "application/json",
            "User-Agent": "publication_crm-webhook/1.0",
            "X-Publication-Event": delivery.event_id,
            "X-Publication-Timestamp": timestamp,
            "X-Publication-Signature": "sha256="
            + sign(self.sudo().secret, timestamp, body),
        }

    # ------------------------------------------------------------------
    # The push run
    # ------------------------------------------------------------------
    @api.model
    def _cron_push(self):
        """The scheduled action (also triggered by changes of subscriptions):
        record the differences between the entitlements readable now and what
        was announced (grants, changes, losses, also those that the date
        brings: a start, an expiry), each with its deliveries, in batches
        committed with their record; then send what is due. Nothing without
        an active webhook: the first one then hears of every access. Returns
        False when its time ran out (it is triggered again)."""
        if not self.sudo().search_count([("active", "=", True)], limit=1):
            return True
        Snapshot = self.env["publication.entitlement.snapshot"].sudo()
        Cron = self.env["ir.cron"]
        while True:
            if not self._push_lock():
                return True  # another run is at it
            changes, deliveries = Snapshot._diff_and_record(DIFF_BATCH)
            _logger.info(
                "webhooks: %s access changes, %s deliveries",
                changes,
                sum(map(len, deliveries.values())),
            )
            Delivery = self.env["publication.webhook.delivery"].sudo()
            for ids in deliveries.values():
                Delivery.browse(ids)._schedule()
            left = Cron._commit_progress(changes)
            if changes < DIFF_BATCH:
                break
            if left <= 0:
                self.env.ref("publication_crm.ir_cron_webhook_push")._trigger()
                return False
        return self.env["publication.webhook.delivery"].sudo()._send_due()

    @api.model
    def _push_lock(self):
        """Whether this transaction holds the push run's lock (taken up to
        its end): two runs must not record the same difference."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [PUSH_LOCK])
        return self.env.cr.fetchone()[0]
