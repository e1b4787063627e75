from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestRoute(PublicationCommon):
    def test_route_from_the_zip_of_the_delivery_address(self):
        office = self.env["res.partner"].create(
            {
                "name": "Alice's office",
                "parent_id": self.alice.id,
                "type": "delivery",
                "zip": "10 750",
            }
        )
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.publication_id = self.monthly
        form.recipient_id = self.alice  # lives north, receives at the office
        self.assertEqual(form.delivery_address_id, office)
        self.assertEqual(form.route_id, self.route_south, "zip 10750, spaces ignored")
        self.assertEqual(form.payer_id, self.alice)
        form.delivery_address_id = self.alice
        self.assertEqual(form.route_id, self.route_north)
        self.assertEqual(form.delivery_method, "carrier")

    def test_range_bounds_and_no_match(self):
        for zip_code, route in (
            ("10000", self.route_north),
            ("10499", self.route_north),
            ("10500", self.route_south),
            ("10999", self.route_south),
            ("11000", self.env["publication.route"]),
            ("1050", self.env["publication.route"]),  # other length
            (False, self.env["publication.route"]),
        ):
            self.alice.zip = zip_code
            subscription = self._subscription()
            self.assertEqual(subscription.route_id, route, zip_code)
        self.alice.zip = "20000"
        self.assertEqual(self._subscription().delivery_method, "post")

    def test_country_of_the_route_must_match(self):
        belgium, france = self.env.ref("base.be"), self.env.ref("base.fr")
        self.route_north.country_id = belgium
        self.alice.country_id = france
        self.assertFalse(self._subscription().route_id)
        self.alice.country_id = belgium
        self.assertEqual(
            self._subscription(recipient_id=self.alice.id).route_id, self.route_north
        )

    def test_digital_offer_gets_the_digital_route(self):
        subscription = self._subscription(plan_id=self.plan_monthly_digital.id)
        self.assertEqual(subscription.route_id, self.route_digital)
        self.assertEqual(subscription.delivery_method, "digital")

    def test_route_is_editable(self):
        self.monthly.payment_grace_days = 30
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = self.alice
        form.publication_id = self.monthly
        form.plan_id = self.plan_annual
        self.assertEqual(form.route_id, self.route_north)
        form.route_id = self.route_south
        subscription = form.save()
        self.assertEqual(subscription.route_id, self.route_south)
        self.assertEqual(subscription.delivery_method, "post")
        subscription.action_confirm()
        self.assertEqual(subscription.route_id, self.route_south, "kept on confirm")
        with Form(subscription.with_user(self.user)) as form:
            form.route_id = self.route_north
        self.assertEqual(subscription.route_id, self.route_north)
        self.assertEqual(subscription.delivery_method, "carrier")

    def test_a_move_reroutes_open_subscriptions_only(self):
        self.monthly.payment_grace_days = 30
        open_one = self._confirmed()
        closed = self._confirmed(
            publication_id=self.daily.id, plan_id=self.plan_daily.id
        )
        with freeze_time("2026-01-31"):
            closed._cancel(date(2026, 1, 31), self.reason_moved)
        self.alice.zip = "10700"
        self.assertEqual(open_one.route_id, self.route_south)
        self.assertEqual(closed.route_id, self.route_north, "past deliveries unchanged")

    def test_zip_range_validation(self):
        Route = self.env["publication.route"]
        with self.assertRefused(ValidationError, "Postal Code From (20000)"):
            Route.create(
                {"name": "R", "code": "R", "zip_from": "20000", "zip_to": "10000"}
            )
        with self.assertRefused(ValidationError, "needs both"):
            Route.create({"name": "R", "code": "R", "zip_from": "20000"})
        with self.assertRefused(ValidationError, "of the same length"):
            Route.create(
                {"name": "R", "code": "R", "zip_from": "100", "zip_to": "1000"}
            )
