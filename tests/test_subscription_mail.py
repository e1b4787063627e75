import re
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import HelpdeskCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestSubscriptionMail(HelpdeskCommon, HttpCase):
    """Subscriber mails come from the publisher in the payer's language,
    marketing mails honour the blacklist and can be unsubscribed from, the
    confirmation comes with the invoice through the queue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()
        cls.alice.email = "alice@example.com"
        cls.bob.email = "bob@example.com"
        cls.env.company.email = "office@publisher.example"
        cls.publisher = cls.env.company.partner_id
        cls.odoobot = cls.env.ref("base.partner_root")
        cls.cron_env = cls.env(user=cls.env.ref("base.user_root"))
        # the scheduled action (of every company) sends only this test's confirmations
        cls.env["publication.subscription"].sudo().search(
            [("confirmation_pending", "=", True)]
        )._write_state({"confirmation_pending": False})

    def _run_confirmations(self, **context):
        """The scheduled action of confirmations, as the cron user."""
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: 3600.0
        ):
            automation = self.cron_env["publication.automation"]
            automation.with_context(**context)._cron_confirmations()

    def _mails(self, subscription, text):
        """Messages mailed to the payer whose subject has text: posted to
        them, or kept from a mass mailing (offers)."""
        return subscription.message_ids.filtered(
            lambda m: (
                m.message_type in ("comment", "email_outgoing")
                and text in (m.subject or "")
            )
        )

    def _assert_from_publisher(self, message, email_from):
        self.assertEqual(message.author_id, self.publisher)
        self.assertNotEqual(message.author_id, self.odoobot)
        self.assertEqual(message.email_from, email_from)
        subscription = self.env[message.model].browse(message.res_id)
        self.assertEqual(
            message.reply_to,
            subscription._notify_get_reply_to(
                default=email_from, author_id=self.publisher.id
            )[subscription.id],
            "the reply-to message_post would compute, computed for the batch",
        )
        mail = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        self.assertEqual(mail.state, "outgoing", "queued, not sent at once")

    def test_reminder_under_the_cron_user_comes_from_the_publisher(self):
        with freeze_time("2026-01-01"):
            subscription = self._active()
        step = self.monthly.reminder_step_ids[0]
        with freeze_time("2026-12-01"):
            subscription.with_env(self.cron_env)._send_renewal_reminder(step)
        message = self._mails(subscription, "ends on")
        self.assertEqual(len(message), 1)
        self._assert_from_publisher(message, self.env.company.email_formatted)
        self.monthly.email = "readers@parish.example"
        subscription.with_env(self.cron_env)._post_template(step.mail_template_id)
        latest = self._mails(subscription, "ends on") - message
        self._assert_from_publisher(latest, '"Parish Monthly" <readers@parish.example>')

    def test_templates_render_in_the_payers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.alice.lang = "fr_FR"
        with freeze_time("2026-01-01"):
            alice = self._active()
            bob = self._active(recipient_id=self.bob.id)
        for xmlid in (
            "mail_template_renewal_reminder",
            "mail_template_continuous_offer",
            "mail_template_winback",
            "mail_template_payment_reminder",
            "mail_template_subscription_confirmation",
        ):
            template = self.env.ref(f"publication_crm.{xmlid}")
            self.assertEqual(
                template._render_lang((alice | bob).ids),
                {alice.id: "fr_FR", bob.id: "en_US"},
                xmlid,
            )

    def test_marketing_mail_skips_the_blacklist_and_can_be_unsubscribed(self):
        with freeze_time("2026-01-01"):
            alice = self._active()
            bob = self._active(recipient_id=self.bob.id)
            for subscription in alice | bob:
                subscription._cancel(date(2026, 1, 1), self.reason_moved)
        self.env["mail.blacklist"]._add("bob@example.com")
        (alice | bob).with_env(self.cron_env)._send_winback_offer()
        self.assertFalse(self._mails(bob, "miss you"), "blacklisted: no offer")
        offer = self._mails(alice, "miss you")
        self.assertEqual(len(offer), 1)
        self._assert_from_publisher(offer, self.env.company.email_formatted)
        self.assertIn(alice.sudo()._unsubscribe_url(), offer.body, "its own token")

    def test_service_mails_go_to_blacklisted_payers(self):
        self.env["mail.blacklist"]._add("alice@example.com")
        with freeze_time("2026-01-01"):
            subscription = self._active()
            self._run_confirmations()
        self.assertTrue(self._mails(subscription, "Your subscription"), "confirmed")
        step = self.monthly.reminder_step_ids[0]
        with freeze_time("2026-12-01"):
            subscription.with_env(self.cron_env)._send_renewal_reminder(step)
        reminder = self._mails(subscription, "ends on")
        self.assertEqual(len(reminder), 1)
        self.assertNotIn("/publication/unsubscribe/", reminder.body)

    def test_confirmation_comes_with_the_invoice_from_the_queue(self):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed(
                recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift"
            )
            self.assertFalse(self._mails(subscription, "Your subscription"))
            self.assertTrue(subscription.confirmation_pending)
            self._run_confirmations(force_report_rendering=True)
            self._run_confirmations()
        message = self._mails(subscription, "Your subscription")
        self.assertEqual(len(message), 1, "once")
        self.assertFalse(subscription.confirmation_pending)
        self.assertEqual(message.partner_ids, self.alice, "the payer")
        self._assert_from_publisher(message, self.env.company.email_formatted)
        invoice = self._invoice(subscription)
        [attachment] = message.attachment_ids
        self.assertEqual(attachment.name, invoice.name.replace("/", "_") + ".pdf")
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))

    # -- /publication/unsubscribe over HTTP ----------------------------------
    def _unsubscribe_url(self, subscription, token=None):
        url = f"/publication/unsubscribe/{subscription.id}"
        return f"{url}?token={token}" if token else url

    def _blacklisted(self, email):
        return self.env["mail.blacklist"].search_count([("email", "=", email)])

    def test_unsubscribe_link_asks_then_blacklists(self):
        subscription = self._active()
        token = subscription.sudo()._unsubscribe_token()
        page = self.url_open(self._unsubscribe_url(subscription, token))
        self.assertEqual(page.status_code, 200)
        self.assertIn("Stop offers", page.text)
        self.assertFalse(self._blacklisted("alice@example.com"), "GET changes nothing")
        response = self.url_open(
            self._unsubscribe_url(subscription),
            data={"csrf_token": CSRF.search(page.text).group(1), "token": token},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("receives no more offers", response.text)
        self.assertTrue(self._blacklisted("alice@example.com"))

    def test_unsubscribe_refuses_wrong_token_other_partner_and_no_csrf(self):
        subscription = self._active()
        for url in (
            self._unsubscribe_url(subscription),
            self._unsubscribe_url(subscription, "wrong"),
        ):
            response = self.url_open(url, allow_redirects=False)
            self.assertIn(response.status_code, (302, 303))
            self.assertTrue(response.headers["Location"].endswith("/my"))
        self.authenticate("portal_bob", "portal_bob")
        csrf = CSRF.search(self.url_open("/my/account").text).group(1)
        response = self.url_open(
            self._unsubscribe_url(subscription),
            data={"csrf_token": csrf},
            allow_redirects=False,
        )
        self.assertTrue(response.headers["Location"].endswith("/my"), "Bob's not")
        self.authenticate("portal_alice", "portal_alice")
        with self.assertLogs("odoo.http", "WARNING"):
            response = self.url_open(
                self._unsubscribe_url(subscription), data={"token": "x"}
            )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._blacklisted("alice@example.com"))
        page = self.url_open(self._unsubscribe_url(subscription))
        self.assertIn("Stop offers", page.text, "the payer, logged in, needs no token")
