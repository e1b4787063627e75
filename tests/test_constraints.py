from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestBadInput(PublicationCommon):
    def _count(self, model):
        return self.env[model].sudo().search_count([])

    def test_end_before_start(self):
        with self.assertRefused(ValidationError, "End (2025-12-01)"):
            self._subscription(date_end="2025-12-01")

    def test_quantity_must_be_positive(self):
        for quantity in (0, -3):
            with self.assertRefused(ValidationError, f"not {quantity}"):
                self._subscription(quantity=quantity)
        subscription = self._subscription()
        with self.assertRefused(ValidationError, "Copies"):
            subscription.quantity = 0

    def test_plan_of_another_publication(self):
        with self.assertRefused(ValidationError, "Offer Daily annual belongs to"):
            self._subscription(plan_id=self.plan_daily.id)

    def test_duplicate_open_subscription(self):
        self._confirmed()
        second = self._subscription()
        before = self._count("account.move")
        with self.assertRefused(ValidationError, "Raise its Copies"):
            second.action_confirm()
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.period_ids)
        self.assertEqual(self._count("account.move"), before, "nothing half-written")
        office = self.env["res.partner"].create(
            {"name": "Alice's office", "parent_id": self.alice.id, "type": "delivery"}
        )
        second.delivery_address_id = office
        second.action_confirm()
        self.assertEqual(second.state, "waiting")

    def test_failed_batch_confirm_writes_nothing(self):
        self._confirmed(recipient_id=self.bob.id)
        batch = self._subscription() | self._subscription(recipient_id=self.bob.id)
        before = (
            self._count("account.move"),
            self._count("publication.subscription.period"),
        )
        with self.assertRefused(ValidationError, "already has the open subscription"):
            batch.action_confirm()
        after = (
            self._count("account.move"),
            self._count("publication.subscription.period"),
        )
        self.assertEqual(after, before)
        self.assertEqual(set(batch.mapped("state")), {"draft"})

    def test_confirmed_subscription_is_locked(self):
        subscription = self._confirmed()
        with self.assertRefused(UserError, "Only draft subscriptions can be confirmed"):
            subscription.action_confirm()
        with self.assertRefused(UserError, "Offer of a confirmed subscription"):
            subscription.plan_id = self.plan_issues
        with self.assertRefused(UserError, "already closed"):
            subscription._cancel(subscription.date_start, self.reason_moved)
            subscription._cancel(subscription.date_start, self.reason_moved)

    def test_route_zip_range(self):
        Route = self.env["publication.route"]
        with self.assertRefused(ValidationError, "Postal Code From (20000)"):
            Route.create(
                {"name": "R", "code": "R", "zip_from": "20000", "zip_to": "10000"}
            )
        with self.assertRefused(ValidationError, "needs both"):
            Route.create({"name": "R", "code": "R", "zip_from": "20000"})

    def test_offer_term_and_price(self):
        Plan = self.env["publication.subscription.plan"]
        with self.assertRefused(ValidationError, "not 0"):
            Plan.create(
                {"name": "P", "publication_id": self.monthly.id, "term_length": 0}
            )
        with self.assertRefused(ValidationError, "not -5.0"):
            Plan.create({"name": "P", "publication_id": self.monthly.id, "price": -5})

    def test_invoicing_needs_a_product(self):
        self.monthly.product_id = False
        subscription = self._subscription()
        with self.assertRefused(UserError, "Set a Subscription Product on publication"):
            subscription.action_confirm()
        self.assertEqual(subscription.state, "draft")
        self.assertFalse(subscription.period_ids)
