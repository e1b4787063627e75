from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPartner360(PublicationCommon):
    def test_customer_since_from_the_first_start(self):
        self.assertFalse(self.alice.customer_since)
        self._subscription(date_start="2025-06-01")  # a draft does not count
        self.assertFalse(self.alice.customer_since)
        self._confirmed(publication_id=self.daily.id, plan_id=self.plan_daily.id)
        self.assertEqual(self.alice.customer_since, date(2026, 1, 1))
        self._confirmed(date_start="2025-10-01")
        self.assertEqual(self.alice.customer_since, date(2025, 10, 1))

    def test_customer_since_counts_gifts_paid(self):
        self._confirmed(
            recipient_id=self.bob.id,
            payer_id=self.alice.id,
            origin="gift",
            date_start="2025-11-01",
        )
        self.assertEqual(self.alice.customer_since, date(2025, 11, 1))
        self.assertEqual(self.bob.customer_since, date(2025, 11, 1))

    def test_roles_and_counts(self):
        self._confirmed(recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift")
        self._confirmed()
        self._subscription(recipient_id=self.carol.id)  # draft: no role yet
        self.assertRecordValues(
            self.alice | self.bob | self.carol,
            [
                {
                    "is_subscriber": True,
                    "is_payer": True,
                    "subscription_count": 1,
                    "paid_subscription_count": 2,
                },
                {
                    "is_subscriber": True,
                    "is_payer": False,
                    "subscription_count": 1,
                    "paid_subscription_count": 0,
                },
                {
                    "is_subscriber": False,
                    "is_payer": False,
                    "subscription_count": 1,
                    "paid_subscription_count": 1,
                },
            ],
        )

    def test_payer_role_follows_a_change_of_payer(self):
        subscription = self._confirmed()
        subscription.payer_id = self.sponsor
        self.assertFalse(self.alice.is_payer)
        self.assertTrue(self.alice.is_subscriber)
        self.assertTrue(self.sponsor.is_payer)
        self.assertEqual(self.sponsor.paid_subscription_count, 1)

    def test_roles_end_with_the_subscription(self):
        subscription = self._confirmed()
        self.assertTrue(self.alice.is_subscriber and self.alice.is_payer)
        with freeze_time("2026-02-01"):
            subscription._cancel(date(2026, 2, 1), self.reason_moved)
        self.assertFalse(self.alice.is_subscriber)
        self.assertFalse(self.alice.is_payer)
        self.assertEqual(self.alice.customer_since, date(2026, 1, 1), "kept")

    def test_open_invoices_for_an_invoicing_user(self):
        gift = self._confirmed(
            recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift"
        )
        own = self._confirmed()
        alice = self.alice.with_user(self.invoicing_user)
        self.assertEqual(
            alice.publication_open_invoice_ids, self._invoice(gift) | self._invoice(own)
        )
        self.assertEqual(alice.publication_open_amount, 240.0)
        self.assertFalse(
            self.bob.with_user(self.invoicing_user).publication_open_invoice_ids
        )
        self._pay(self._invoice(own))
        alice.invalidate_recordset()
        self.assertEqual(alice.publication_open_invoice_ids, self._invoice(gift))
        self.assertEqual(alice.publication_open_amount, 120.0)

    def test_open_invoices_hidden_from_a_plain_user(self):
        self._confirmed()
        employee = self._new_user("employee", "base.group_user")
        with self.assertRaises(AccessError):
            self.alice.with_user(employee).read(["publication_open_invoice_ids"])

    def test_smart_buttons_open_the_partner_subscriptions(self):
        self._confirmed()
        alice = self.alice.with_user(self.user)
        action = alice.action_view_received_subscriptions()
        self.assertEqual(action["domain"], [("recipient_id", "=", self.alice.id)])
        self.assertEqual(action["context"], {"default_recipient_id": self.alice.id})
        action = alice.action_view_paid_subscriptions()
        self.assertEqual(action["domain"], [("payer_id", "=", self.alice.id)])

    def test_subscribers_searchable_by_postal_code(self):
        """Customers > Subscribers offers the postal code, as Subscriptions do."""
        self.alice.zip = "00100"
        self.bob.zip = "20100"
        action = self.env.ref("publication_crm.res_partner_subscriber_action")
        arch = self.env["res.partner"].get_view(
            action.search_view_id.id, view_type="search"
        )["arch"]
        zip_field = etree.fromstring(arch).find(".//field[@name='zip']")
        self.assertIsNotNone(zip_field)
        domain = safe_eval(zip_field.get("filter_domain"), {"self": "001"})
        found = self.env["res.partner"].search(domain)
        self.assertIn(self.alice, found)
        self.assertNotIn(self.bob, found)
