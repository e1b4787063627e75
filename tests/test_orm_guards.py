"""What the views hide is refused over the ORM (and so over RPC) too."""

from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import AdvertisingCommon, PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestSubscriptionGuards(PublicationCommon):
    def test_user_cannot_set_the_state(self):
        with self.assertRefused(AccessError, "State", "active"):
            self._subscription(state="active")
        with self.assertRefused(AccessError, "Cancelled On"):
            self._subscription(date_cancel="2026-02-01")
        draft = self._subscription(state="draft")
        with self.assertRefused(AccessError, "State"):
            draft.with_user(self.user).write({"state": "active"})
        draft.with_user(self.user).action_confirm()
        self.assertEqual(draft.state, "waiting")
        with self.assertRefused(AccessError, "State", "draft"):
            draft.with_user(self.user).write({"state": "draft"})
        with self.assertRefused(AccessError, "Period Amount"):
            draft.with_user(self.user).write({"amount": 0.0})

    def test_confirmed_subscription_keeps_its_terms(self):
        subscription = self._confirmed()
        self._pay(self._invoice(subscription))
        as_user = subscription.with_user(self.user)
        with self.assertRefused(AccessError, "End", "2027-12-31"):
            as_user.write({"date_end": "2027-12-31"})
        with self.assertRefused(UserError, "Origin"):
            as_user.write({"origin": "member"})
        self.assertEqual(subscription.date_end, date(2026, 12, 31))
        self.assertEqual(subscription.price_unit, 120.0)
        # the actions still move the end
        as_user._pause(date(2026, 3, 1), date(2026, 3, 9))
        self.assertGreater(subscription.date_end, date(2026, 12, 31))
        as_user._cancel(date(2026, 6, 30), self.reason_moved)
        self.assertEqual(subscription.date_cancel_planned, date(2026, 6, 30))
        with freeze_time("2026-06-30"):
            as_user._cancel(date(2026, 6, 30), self.reason_moved)
        self.assertEqual(subscription.date_end, date(2026, 6, 30))

    def test_price_by_managers_only(self):
        with self.assertRefused(AccessError, "Price per Copy", "1.0"):
            self._subscription(price_unit=1.0)
        draft = self._subscription(price_unit=120.0)  # the offer's price
        with self.assertRefused(AccessError, "Price per Copy"):
            draft.with_user(self.user).write({"price_unit": 1.0})
        # the web client sends the new offer's price with the new offer
        with Form(draft.with_user(self.user)) as form:
            form.plan_id = self.plan_issues
        self.assertEqual(draft.price_unit, 60.0)
        draft.with_user(self.manager).write({"price_unit": 45.0})
        self.assertEqual(draft.amount, 45.0)
        special = self._subscription(
            user=self.manager, recipient_id=self.bob.id, price_unit=10.0
        )
        self.assertEqual(special.price_unit, 10.0)

    def test_period_links_by_managers_only(self):
        subscription = self._confirmed()
        other = self._confirmed(recipient_id=self.bob.id)
        period = subscription.period_ids.with_user(self.user)
        foreign = self._invoice(other)
        for field, value in (
            ("invoice_id", foreign.id),
            ("invoice_line_id", foreign.invoice_line_ids.id),
            ("refund_id", foreign.id),
            ("refund_line_id", foreign.invoice_line_ids.id),
            ("amount", 1.0),
            ("payment_state", "paid"),
            ("subscription_id", other.id),
        ):
            with self.subTest(field), self.assertRefused(AccessError, "period"):
                period.write({field: value})
        Period = self.env["publication.subscription.period"].with_user(self.user)
        with self.assertRefused(AccessError, "Invoice"):
            Period.create(
                {
                    "subscription_id": other.id,
                    "date_start": "2027-01-01",
                    "date_end": "2027-12-31",
                    "amount": 120.0,
                    "invoice_id": foreign.id,
                }
            )
        with self.assertRefused(AccessError, "Amount"):
            Period.create(
                {
                    "subscription_id": other.id,
                    "date_start": "2027-01-01",
                    "date_end": "2027-12-31",
                    "amount": 1.0,
                }
            )
        self.assertEqual(len(subscription.sudo().period_ids.invoice_id), 1)
        subscription.period_ids.with_user(self.manager).write({"amount": 100.0})
        self.assertEqual(subscription.period_ids.amount, 100.0)

    def test_no_mass_edit_of_subscriptions(self):
        view = self.env.ref("publication_crm.publication_subscription_view_list")
        arch = etree.fromstring(view.arch)
        self.assertNotIn(arch.get("multi_edit"), ("1", "True", "true"))


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestAdGuards(AdvertisingCommon):
    def test_user_cannot_set_booking_state_or_price(self):
        contract = self._contract()
        booking = self._book(contract, date(2026, 3, 1))
        as_user = booking.with_user(self.user)
        for field, value in (
            ("state", "invoiced"),
            ("price", 1.0),
            ("tier_discount", 100.0),
            ("contract_discount", 100.0),
            ("list_price", 1.0),
            ("credited_discount", 20.0),
        ):
            with self.subTest(field), self.assertRefused(AccessError, "booking"):
                as_user.write({field: value})
        with self.assertRefused(AccessError, "State", "invoiced"):
            self._book(contract, date(2026, 4, 1), state="invoiced")
        self.assertEqual((booking.state, booking.price), ("booked", 500.0))
        # the actions still change it
        self._attach_material(booking)
        as_user.action_material_received()
        self.assertEqual(booking.state, "material")
        as_user.action_cancel()
        self.assertEqual(booking.state, "cancelled")

    def test_user_cannot_set_contract_state(self):
        with self.assertRefused(AccessError, "ad contract", "confirmed"):
            self._contract(confirm=False, state="confirmed")
        contract = self._contract()
        self._book(contract, date(2026, 2, 1))._invoice()
        with self.assertRefused(AccessError, "ad contract", "cancelled"):
            contract.with_user(self.user).write({"state": "cancelled"})
        with self.assertRefused(UserError, "invoiced bookings"):
            contract.with_user(self.user).action_cancel()
        contract.with_user(self.user).action_done()
        self.assertEqual(contract.state, "done")
