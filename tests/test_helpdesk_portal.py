from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HelpdeskCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10 10:00:00")
class TestHelpdeskPortal(HelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()

    def _portal_ticket(self, user, subject):
        """What helpdesk_mgmt's /submitted/ticket controller does."""
        partner = user.partner_id
        ticket = (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                {
                    "name": subject,
                    "description": "<p>Sent from the portal</p>",
                    "category_id": self.cat_missed.id,
                    "partner_id": partner.id,
                    "partner_name": partner.name,
                    "partner_email": partner.email,
                    "channel_id": self.env.ref(
                        "helpdesk_mgmt.helpdesk_ticket_channel_web"
                    ).id,
                }
            )
        )
        ticket.message_subscribe(partner_ids=partner.ids)
        return ticket.sudo(False)

    def test_each_subscriber_sees_only_their_own_tickets(self):
        subscription = self._active()
        ticket_alice = self._portal_ticket(self.portal_alice, "Alice's paper")
        ticket_bob = self._portal_ticket(self.portal_bob, "Bob's paper")
        self.assertEqual(ticket_alice.subscription_id, subscription)
        self.assertFalse(ticket_bob.subscription_id, "Bob subscribes to nothing")
        Ticket = self.env["helpdesk.ticket"]
        self.assertEqual(Ticket.with_user(self.portal_alice).search([]), ticket_alice)
        self.assertEqual(Ticket.with_user(self.portal_bob).search([]), ticket_bob)
        with self.assertRaises(AccessError):
            ticket_bob.with_user(self.portal_alice).read(["name"])
        with self.assertRaises(AccessError):
            ticket_alice.with_user(self.portal_bob).read(["name"])
        self.assertEqual(
            ticket_alice.with_user(self.portal_alice).read(["name"])[0]["name"],
            "Alice's paper",
        )
