from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPartner360(PublicationCommon):
    def test_roles_counts_and_open_invoices(self):
        self._confirmed(recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift")
        self._confirmed(date_start="2025-10-01")
        self.assertEqual(self.alice.customer_since, date(2025, 10, 1))
        self.assertEqual(self.bob.customer_since, date(2026, 1, 1))
        self.assertRecordValues(
            self.alice | self.bob | self.carol,
            [
                {"is_subscriber": True, "is_payer": True, "subscription_count": 1},
                {"is_subscriber": True, "is_payer": False, "subscription_count": 1},
                {"is_subscriber": False, "is_payer": False, "subscription_count": 0},
            ],
        )
        self.assertEqual(self.alice.paid_subscription_count, 2)
        # the test's own user has invoicing rights
        self.assertEqual(len(self.alice.publication_open_invoice_ids), 2)
        self.assertEqual(self.alice.publication_open_amount, 240.0)
        self.assertFalse(self.bob.publication_open_invoice_ids)

    def test_roles_end_with_the_subscription(self):
        subscription = self._confirmed()
        subscription._cancel(date(2026, 2, 1), self.reason_moved)
        self.assertFalse(self.alice.is_subscriber)
        self.assertFalse(self.alice.is_payer)
        self.assertEqual(self.alice.customer_since, date(2026, 1, 1))

    def test_smart_buttons_open_the_partner_subscriptions(self):
        self._confirmed()
        action = self.alice.with_user(self.user).action_view_received_subscriptions()
        self.assertEqual(action["domain"], [("recipient_id", "=", self.alice.id)])
        action = self.alice.with_user(self.user).action_view_paid_subscriptions()
        self.assertEqual(action["domain"], [("payer_id", "=", self.alice.id)])
