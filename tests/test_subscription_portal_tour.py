from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import HelpdeskCommon, demo_payment_provider


@tagged("post_install", "-at_install")
class TestSubscriptionPortalTour(HelpdeskCommon, HttpCase):
    """A subscriber logs in, renews and pays with the demo provider (saving
    the card for the automatic renewals), pauses,
    then reports a missing copy, in a browser (needs Chromium and payment_demo,
    which tools/check installs into its test database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_alice = new_test_user(
            cls.env,
            login="portal_alice",
            groups="base.group_portal",
            partner_id=cls.alice.id,
        )
        cls.monthly.write(
            {
                "complaint_team_id": cls.team.id,
                "portal_remedy": "resend",
                "retention_discount": 10.0,
            }
        )
        cls.alice.street = "3 Harbour Street"
        cls.provider = demo_payment_provider(cls.env, cls.env.company)

    def test_subscriber_renews_pays_pauses_and_reports_a_missing_copy(self):
        """See where the copies go, renew and pay, pause, report a missing
        copy, then ask to cancel and take the discount offered instead."""
        today = fields.Date.context_today(self.env["res.partner"])
        subscription = self._active(date_start=today - relativedelta(months=2))
        end = subscription.date_end
        self.start_tour(
            "/my", "publication_crm_subscription_portal", login="portal_alice"
        )
        self.env.invalidate_all()
        subscription = subscription.sudo()
        renewal = subscription.period_ids.sorted("date_start")[-1]
        self.assertEqual(len(subscription.period_ids), 2, "renewed")
        self.assertEqual(renewal.invoice_id.payment_state, "paid")
        self.assertIn("4242", subscription.payment_token_id.payment_details)
        self.assertEqual(subscription.state, "active")
        self.assertEqual(len(subscription.pause_ids), 1)
        self.assertGreater(subscription.date_end, end + relativedelta(years=1))
        ticket = self.env["helpdesk.ticket"].search(
            [("subscription_id", "=", subscription.id)]
        )
        self.assertEqual(ticket.category_id, self.cat_missed)
        self.assertTrue(ticket.replacement_ids)
        self.assertEqual(subscription.retention_attempt_ids.outcome, "discount")
        self.assertEqual(subscription.next_discount, 10.0)
