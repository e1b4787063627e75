from freezegun import freeze_time

from odoo.tests import tagged

from .common import HelpdeskCommon

MAIL = """Return-Path: <{sender}>
From: {name} <{sender}>
To: {to}
Subject: {subject}
Message-ID: <{msgid}@mail.example.com>
{extra}Date: Tue, 10 Mar 2026 09:00:00 +0000
Content-Type: text/plain; charset=utf-8

The March issue did not come.
"""


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10 09:00:00")
class TestHelpdeskMail(HelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {"name": "paper.example.com"}
        )
        cls.team.alias_id.alias_domain_id = cls.alias_domain
        cls.service_address = cls.team.alias_id.alias_full_name

    def _receive(self, sender, name, msgid, subject="Missing paper", extra=""):
        message = MAIL.format(
            sender=sender,
            name=name,
            to=self.service_address,
            subject=subject,
            msgid=msgid,
            extra=extra,
        )
        # as the mail gateway (fetchmail's scheduled action runs as superuser)
        return self.env["mail.thread"].sudo().message_process(False, message)

    def test_mail_creates_ticket_linked_to_the_senders_subscription(self):
        self.assertEqual(self.service_address, "service@paper.example.com")
        subscription = self._active()
        ticket_id = self._receive("alice@example.com", "Alice", "m1")
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertRecordValues(
            ticket,
            [
                {
                    "team_id": self.team.id,
                    "name": "Missing paper",
                    "partner_id": self.alice.id,
                    "subscription_id": subscription.id,
                    "route_id": self.route_north.id,
                }
            ],
        )
        self.assertEqual(ticket.issue_id.date.isoformat(), "2026-03-01")
        self.assertIn("did not come", ticket.description)

    def test_reply_is_added_to_the_ticket(self):
        self._active()
        ticket_id = self._receive("alice@example.com", "Alice", "m2")
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        count = self.env["helpdesk.ticket"].search_count([])
        self._receive(
            "alice@example.com",
            "Alice",
            "m3",
            subject="Re: Missing paper",
            extra="In-Reply-To: <m2@mail.example.com>\n",
        )
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
        self.assertEqual(len(ticket.message_ids.filtered(lambda m: m.author_id)), 2)

    def test_unknown_sender_creates_unlinked_ticket(self):
        ticket_id = self._receive("stranger@example.org", "Stranger", "m4")
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertFalse(ticket.subscription_id)
        self.assertIn("stranger@example.org", ticket.partner_email)
