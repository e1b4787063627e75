from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AdvertisingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestAdPrice(AdvertisingCommon):
    def test_price_from_rate_card_and_frequency_tiers(self):
        contract = self._contract()
        bookings = self._book_months(contract, range(2, 12))
        self.assertEqual(bookings.mapped("list_price"), [500.0] * 10)
        # insertions 1-5 at the rate, from the 6th on 10 % off
        self.assertEqual(
            bookings.sorted("id").mapped("price"), [500.0] * 5 + [450.0] * 5
        )
        eleventh = self._book_months(contract, [12])
        self.assertEqual(eleventh.price, 450.0, "the 11th insertion: still 10 %")
        twelfth = self._book(
            contract, date(2026, 12, 1), ad_format="full", position="back_cover"
        )
        self.assertEqual(twelfth.tier_discount, 20.0)
        self.assertEqual(twelfth.price, 800.0)
        self.assertEqual(bookings[0].price, 500.0, "earlier bookings keep their price")
        self.assertEqual(contract.booked_count, 12)
        self.assertEqual(contract.booked_progress, 120.0)

    def test_agreed_discount_after_frequency_discount(self):
        contract = self._contract(discount=5.0)
        bookings = self._book_months(contract, range(2, 8))
        self.assertEqual(bookings.mapped("contract_discount"), [5.0] * 6)
        # 500 less 5 %; the 6th: less 10 % less 5 %
        self.assertEqual(bookings.mapped("price"), [475.0] * 5 + [427.5])
        bookings = self._book_months(
            contract, range(8, 10), ad_format="full", position="back_cover"
        )
        # 7th and 8th insertions: 1000 less 10 % less 5 %
        self.assertEqual(bookings.mapped("price"), [855.0, 855.0])

    def test_price_form_shows_the_rate_card(self):
        contract = self._contract()
        booking_form = Form(self.env["publication.ad.booking"].with_user(self.user))
        booking_form.contract_id = contract
        booking_form.issue_id = self._issue(self.monthly, date(2026, 3, 1))
        booking_form.ad_format = "quarter"
        booking_form.colour = "bw"
        self.assertEqual(booking_form.list_price, 200.0)
        self.assertEqual(booking_form.price, 200.0)
        booking = booking_form.save()
        self.assertEqual(booking.rate_card_line_id.rate_card_id, self.rate_card)
        self.assertEqual(booking.partner_id, self.bakery)

    def test_missing_rate_refused(self):
        contract = self._contract()
        with self.assertRefused(UserError, "Half Page", "Back Cover", "Price Override"):
            self._book(contract, date(2026, 3, 1), position="back_cover")

    def test_manager_overrides_the_price(self):
        contract = self._contract()
        with self.assertRefused(AccessError, "Price Override"):
            self._book(contract, date(2026, 3, 1), price_override=100.0)
        booking = self._book(contract, date(2026, 3, 1))
        with self.assertRaises(AccessError):
            booking.with_user(self.user).write({"price_override": 100.0})
        booking.with_user(self.manager).write({"price_override": 100.0})
        self.assertEqual(booking.price, 100.0)
        late = self._book(
            contract, date(2026, 4, 1), user=self.manager, price_override=50.0
        )
        self.assertEqual(late.price, 50.0)

    def test_issue_must_belong_to_the_contract(self):
        contract = self._contract(date_end="2026-06-30")
        with self.assertRefused(ValidationError, "outside the period"):
            self._book(contract, date(2026, 8, 1))
        daily_contract = self._contract(publication_id=self.daily.id)
        with self.assertRefused(ValidationError, "PM 2026/3", "Valley Daily"):
            self._book(daily_contract, date(2026, 3, 1))

    def test_only_confirmed_contracts_take_bookings(self):
        contract = self._contract(confirm=False)
        with self.assertRefused(UserError, "confirmed"):
            self._book(contract, date(2026, 3, 1))

    def test_bad_contract_values_name_the_field(self):
        with self.assertRefused(ValidationError, "Agency Commission", "120"):
            self._contract(agency_id=self.agency.id, commission=120.0)
        with self.assertRefused(ValidationError, "End", "Start"):
            self._contract(date_end="2025-12-31")


@tagged("post_install", "-at_install")
class TestAdDeadlines(AdvertisingCommon):
    # February issue: booking deadline 18 January, material deadline 25 January

    def test_booking_after_the_deadline_refused(self):
        with freeze_time("2026-01-01"):
            contract = self._contract()
        with freeze_time("2026-01-18"):
            self._book(contract, date(2026, 2, 1))
        with freeze_time("2026-01-19"):
            with self.assertRefused(UserError, "PM 2026/2", "01/18/2026"):
                self._book(contract, date(2026, 2, 1))
            with self.assertRefused(AccessError, "Deadline Override"):
                self._book(contract, date(2026, 2, 1), deadline_override=True)
            booking = self._book(
                contract, date(2026, 2, 1), user=self.manager, deadline_override=True
            )
            self.assertEqual(booking.state, "booked")

    def test_moving_a_booking_to_a_closed_issue_refused(self):
        with freeze_time("2026-01-01"):
            booking = self._book(self._contract(), date(2026, 3, 1))
        with freeze_time("2026-01-20"), self.assertRaises(UserError):
            booking.with_user(self.user).issue_id = self._issue(
                self.monthly, date(2026, 2, 1)
            )

    def test_cancellation_after_the_material_deadline(self):
        with freeze_time("2026-01-01"):
            contract = self._contract()
            early, late = self._book_months(contract, [2, 2])
        with freeze_time("2026-01-25"):
            early.with_user(self.user).action_cancel()
            self.assertEqual(early.state, "cancelled")
        with freeze_time("2026-01-26"):
            with self.assertRaises(UserError) as caught:
                late.with_user(self.user).action_cancel()
            self.assertIn("Material Deadline", str(caught.exception))
            self.assertEqual(late.state, "booked")
            with self.assertRaises(AccessError):
                late.with_user(self.user).deadline_override = True
            late.with_user(self.manager).deadline_override = True
            late.with_user(self.manager).action_cancel()
            self.assertEqual(late.state, "cancelled")

    @freeze_time("2026-01-01")
    def test_material_received_needs_the_attachment(self):
        booking = self._book(self._contract(), date(2026, 2, 1))
        with self.assertRaises(UserError) as caught:
            booking.with_user(self.user).action_material_received()
        self.assertIn("Material", str(caught.exception))
        self._attach_material(booking)
        booking.with_user(self.user).action_material_received()
        self.assertEqual(booking.state, "material")
        self.assertEqual(booking.material_date, date(2026, 1, 1))
