from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestBadInput(PublicationCommon):
    def test_end_before_start(self):
        with self.assertRefused(ValidationError, "End (12/01/2025) of subscription"):
            self._subscription(date_end="2025-12-01")
        subscription = self._subscription()
        with self.assertRefused(ValidationError, "is before its Start (01/01/2026)"):
            subscription.date_end = date(2025, 12, 31)
        self.assertEqual(subscription.date_end, date(2026, 12, 31))

    def test_end_cannot_be_emptied(self):
        """An empty End made the confirmation fail on a database NOT NULL error
        of the period instead of a clear message."""
        subscription = self._subscription()
        with self.assertRefused(ValidationError, "End of subscription"):
            subscription.date_end = False
        self.assertEqual(subscription.date_end, date(2026, 12, 31))

    def test_quantity_must_be_positive(self):
        for quantity in (0, -3):
            with self.assertRefused(
                ValidationError, "Copies of subscription", f"at least 1, not {quantity}"
            ):
                self._subscription(quantity=quantity)
        subscription = self._subscription()
        with self.assertRefused(ValidationError, "must be at least 1, not 0"):
            subscription.quantity = 0

    def test_offer_of_another_publication(self):
        with self.assertRefused(
            ValidationError,
            "Offer Daily annual belongs to Valley Daily, not to publication "
            "Parish Monthly",
        ):
            self._subscription(plan_id=self.plan_daily.id)

    def test_duplicate_open_subscription(self):
        self._confirmed()
        second = self._subscription()
        with self.assertRefused(
            ValidationError, "Recipient Alice already has the open subscription"
        ):
            second.action_confirm()
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.period_ids)
        office = self.env["res.partner"].create(
            {
                "name": "Alice's office",
                "parent_id": self.alice.id,
                "type": "delivery",
                "zip": "10200",
            }
        )
        second.delivery_address_id = office
        second.action_confirm()
        self.assertEqual(second.state, "waiting", "another address is allowed")

    def test_confirm_only_drafts(self):
        subscription = self._confirmed()
        with self.assertRefused(
            UserError, f"Only draft subscriptions can be confirmed: {subscription.name}"
        ):
            subscription.action_confirm()
        self.assertEqual(len(subscription.period_ids), 1)

    def test_confirmed_subscription_is_locked(self):
        subscription = self._confirmed()
        for field, value in (
            ("plan_id", self.plan_issues.id),
            ("recipient_id", self.bob.id),
            ("date_start", "2026-02-01"),
            ("publication_id", self.daily.id),
        ):
            label = subscription._fields[field].get_description(self.env)["string"]
            with self.assertRefused(
                UserError, f"{label} of a confirmed subscription cannot be changed"
            ):
                subscription.write({field: value})
        self.assertEqual(subscription.plan_id, self.plan_annual)
        subscription.quantity = 2  # not locked
        self.assertEqual(subscription.quantity, 2)

    def test_batch_confirm_with_a_duplicate_writes_nothing(self):
        self._confirmed(recipient_id=self.bob.id)
        batch = self._subscription() | self._subscription(recipient_id=self.bob.id)
        with self.assertRefused(ValidationError, "Recipient Bob already has"):
            batch.action_confirm()
        self.assertEqual(set(batch.mapped("state")), {"draft"})
        self.assertFalse(batch.period_ids)

    def test_batch_confirm_failing_on_invoicing_writes_nothing(self):
        no_product = self.env["publication.publication"].create(
            {"name": "Newsletter", "code": "NL", "issues_per_year": 4}
        )
        plan = self.env["publication.subscription.plan"].create(
            {"name": "Yearly", "publication_id": no_product.id, "price": 8.0}
        )
        valid = self._subscription() | self._subscription(recipient_id=self.bob.id)
        invalid = self._subscription(
            recipient_id=self.carol.id, publication_id=no_product.id, plan_id=plan.id
        )
        batch = valid | invalid
        with self.assertRefused(
            UserError,
            "Set a Subscription Product on publication Newsletter or a Product "
            "on offer Yearly",
        ):
            batch.action_confirm()
        self.assertEqual(set(batch.mapped("state")), {"draft"})
        self.assertFalse(batch.period_ids)
        self.assertFalse(self.alice.sudo().invoice_ids, "no invoice for the others")
        valid.action_confirm()
        self.assertEqual(len(self._invoice(valid)), 2)

    def test_offer_term_and_price(self):
        Plan = self.env["publication.subscription.plan"]
        with self.assertRefused(ValidationError, "Term of offer P must be positive"):
            Plan.create(
                {"name": "P", "publication_id": self.monthly.id, "term_length": 0}
            )
        with self.assertRefused(ValidationError, "not -5.0"):
            Plan.create({"name": "P", "publication_id": self.monthly.id, "price": -5})

    def test_publication_numbers(self):
        for field, value, text in (
            ("issues_per_year", 0, "Issues per year must be positive, not 0"),
            ("first_issue_day", 31, "between 1 and 28, not 31"),
            ("payment_grace_days", -1, "must not be negative, not -1"),
        ):
            with self.assertRefused(ValidationError, text):
                self.monthly.write({field: value})
