from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AdvertisingCommon, pdf_text

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPagePlan(AdvertisingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.march = cls.monthly.issue_ids.filtered(lambda i: i.date == MARCH)
        # 4 pages, 2 of them editorial: 2 pages for ads
        cls.march.write({"page_count": 4, "editorial_pages": 2})

    def _fill_march(self, contract):
        """Four half pages: the March issue is full."""
        return self._book_months(contract, [3, 3, 3, 3])

    def test_issue_full_refuses_the_next_booking(self):
        contract = self._contract()
        bookings = self._fill_march(contract)
        self.assertEqual(self.march.space_booked, 2.0)
        self.assertEqual(self.march.space_left, 0.0)
        with self.assertRefused(
            UserError, "Half Page", "PM 2026/3", "0.0 of its 2.0 pages"
        ):
            self._book(contract, MARCH)
        bookings[0].with_user(self.user).action_cancel()
        self.assertEqual(self.march.space_left, 0.5)
        self.assertEqual(self._book(contract, MARCH).state, "booked")
        with self.assertRefused(UserError, "Full Page", "PM 2026/3"):
            self._book(contract, MARCH, ad_format="full", position="back_cover")

    def test_issue_full_keeps_the_booking_as_an_option(self):
        self.monthly.overbooking = "option"
        contract = self._contract()
        bookings = self._fill_march(contract)
        option = self._book(contract, MARCH)
        self.assertEqual(option.state, "option")
        self.assertEqual(self.march.ad_option_count, 1)
        self.assertEqual(self.march.space_left, 0.0, "an option takes no space")
        self.assertEqual(contract.booked_count, 4, "nor counts as booked")
        with freeze_time("2026-03-02"):
            self.assertFalse(option._invoice(), "an option is not invoiced")
        self.assertEqual(option.state, "option")
        with self.assertRaisesRegex(UserError, "PM 2026/3"):
            option.with_user(self.user).action_confirm_option()
        self.assertEqual(option.state, "option")
        bookings[0].with_user(self.user).action_cancel()
        option.with_user(self.user).action_confirm_option()
        self.assertEqual(option.state, "booked")
        self.assertEqual(self.march.ad_option_count, 0)
        with self.assertRaisesRegex(UserError, "not an option"):
            option.with_user(self.user).action_confirm_option()

    def test_space_freed_announces_the_options_that_fit(self):
        """A cancellation gives the salesperson a to-do on the first option
        that fits now, once; confirming it clears the to-do."""
        self.monthly.overbooking = "option"
        contract = self._contract()
        bookings = self._fill_march(contract)
        first, second = self._book(contract, MARCH) | self._book(contract, MARCH)
        self.assertEqual((first | second).mapped("state"), ["option", "option"])
        fits = self.env.ref("publication_crm.mail_activity_type_option_fits")

        def todos(booking):
            return booking.activity_ids.filtered(lambda a: a.activity_type_id == fits)

        bookings[0].with_user(self.user).action_cancel()
        self.assertEqual(len(todos(first)), 1)
        self.assertIn("PM 2026/3", todos(first).summary)
        self.assertFalse(todos(second), "half a page free: only the first fits")
        april = self.monthly.issue_ids.filtered(lambda i: i.date == date(2026, 4, 1))
        bookings[1].with_user(self.user).write({"issue_id": april.id})
        self.assertEqual(len(todos(first)), 1, "announced once")
        self.assertEqual(len(todos(second)), 1, "moving a booking frees its space")
        first.with_user(self.user).action_confirm_option()
        self.assertFalse(todos(first))

    def test_space_left_per_page_and_format(self):
        self.march.editorial_pages = 0
        contract = self._contract()
        self._book(contract, MARCH, page=2)
        self._book(contract, MARCH, page=2, ad_format="quarter", colour="bw")
        unplaced = self._book(contract, MARCH)
        pages = self.march._flat_plan()[self.march]["pages"]
        self.assertEqual(
            [(p["number"], p["booked"], p["free"]) for p in pages],
            [(1, 0.0, 1.0), (2, 0.75, 0.25), (3, 0.0, 1.0), (4, 0.0, 1.0)],
        )
        self.assertEqual(self.march._flat_plan()[self.march]["unplaced"], unplaced)
        with self.assertRefused(UserError, "page 2", "PM 2026/3", "0.25"):
            self._book(contract, MARCH, page=2)
        with self.assertRefused(ValidationError, "Page 5", "1 to 4"):
            self._book(contract, MARCH, page=5)
        self.assertEqual(self.march.space_left, 2.75)
        with self.assertRaisesRegex(UserError, "page 2"):
            unplaced.with_user(self.user).page = 2
        self.assertEqual(
            self.march.space_left_by_format,
            "Full Page 2, Half Page 5, Quarter Page 11, Eighth Page 22, "
            "Module (small ad) 44",
        )
        issue = self.march.with_user(self.user).with_context(show_space_left=True)
        self.assertEqual(
            issue.display_name, "PM 2026/3 (2.75 of 4.0 pages free for ads)"
        )
        self._book(
            contract, MARCH, ad_format="eighth", price_override=50.0, user=self.manager
        )
        self.assertEqual(self.march.space_left, 2.625, "not rounded")
        self.assertIn("Eighth Page 21,", self.march.space_left_by_format)
        # the issue or the booking names the page (last: the cache keeps it)
        with self.assertRaisesRegex(ValidationError, r"(?i)page 2 .*\b1\b"):
            self.march.page_count = 1

    def test_booking_form_shows_the_space_left(self):
        contract = self._contract()
        self._book(contract, MARCH)
        booking_form = Form(self.env["publication.ad.booking"].with_user(self.user))
        booking_form.contract_id = contract
        booking_form.issue_id = self.march
        booking_form.ad_format = "half"
        self.assertEqual(booking_form.issue_space_left, 1.5)
        booking_form.page = 3
        self.assertEqual(booking_form.save().page, 3)

    def test_premium_position_booked_once(self):
        contract = self._contract()
        cover = self._book(contract, MARCH, ad_format="full", position="back_cover")
        self.assertEqual(cover.page, 4, "the back cover is the last page")
        self.march.page_count = 8
        self.assertEqual(cover.page, 8, "it moves with the last page")
        with self.assertRefused(UserError, "Back Cover", "PM 2026/3", "once"):
            self._book(contract, MARCH, ad_format="full", position="back_cover")
        with self.assertRefused(ValidationError, "Page 2", "Back Cover", "page 8"):
            self._book(contract, MARCH, ad_format="full", position="back_cover", page=2)
        self.monthly.overbooking = "option"
        second = self._book(contract, MARCH, ad_format="full", position="back_cover")
        self.assertEqual(second.state, "option")
        # two users at the same time: the unique index refuses the second
        Booking = type(self.env["publication.ad.booking"])
        self.patch(Booking, "_space_refusal", lambda booking, used: "")
        second.with_user(self.user).action_confirm_option()
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation),
            self.env.cr.savepoint(),
        ):
            # as at the commit
            self.env.cr.execute(
                "SET CONSTRAINTS publication_ad_booking_premium_position_uniq IMMEDIATE"
            )

    def test_new_issue_takes_the_page_template_of_its_publication(self):
        self.monthly.write({"page_count": 24, "editorial_pages": 14})
        issue = self.env["publication.issue"].create(
            {"publication_id": self.monthly.id, "number": 99, "date": "2026-12-15"}
        )
        self.assertEqual((issue.page_count, issue.editorial_pages), (24, 14.0))
        self.assertEqual(issue.space_left, 10.0)
        with self.assertRaisesRegex(ValidationError, "Editorial Pages.*30"):
            issue.editorial_pages = 30
        with self.assertRaisesRegex(ValidationError, "Editorial Pages.*-1"):
            self.monthly.editorial_pages = -1

    def test_space_of_many_issues_in_one_query(self):
        contract = self._contract()
        self._book_months(contract, range(2, 13))
        Issue = self.env["publication.issue"]
        ids = Issue.search([("publication_id", "=", self.monthly.id)]).ids
        self.assertEqual(len(ids), 24)

        def queries(issue_ids):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Issue.browse(issue_ids).mapped("space_left")
            return self.env.cr.sql_log_count - before

        self.assertEqual(queries(ids[:1]), queries(ids))

    def test_access(self):
        contract = self._contract()
        self._book(contract, MARCH)
        with self.assertRaises(AccessError):
            self.march.with_user(self.user).page_count = 8
        self.march.with_user(self.manager).page_count = 8
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        with self.assertRaises(AccessError):
            self._book(contract, MARCH, user=clerk)
        with self.assertRaises(AccessError):
            self.march.with_user(clerk).space_left  # noqa: B018

    @mute_logger("odoo.addons.base.models.ir_actions_report")  # unpatched Qt
    def test_flat_plan_pdf(self):
        contract = self._contract()
        self._book(contract, MARCH, page=2)
        self._book(contract, MARCH, ad_format="full", position="back_cover")
        garage = self._contract(partner_id=self.garage.id)
        self._book(garage, MARCH, ad_format="quarter", colour="bw")
        action = self.march.with_user(self.user).action_print_flat_plan()
        self.assertEqual(
            action["report_name"], "publication_crm.report_issue_flat_plan"
        )
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "publication_crm.action_report_issue_flat_plan", self.march.ids
            )
        )
        self.assertEqual(kind, "pdf")
        text, _images = pdf_text(pdf)
        text = " ".join(text.split())
        for expected in (
            "Flat plan of PM 2026/3",
            "4 pages, 2.0 reserved for editorial content, 1.75 booked, 0.25 left",
            "Page 1",
            "Page 4",
            "Bakery",
            "Half Page, Inside",
            "Full Page, Back Cover",
            "Free: 0.5",
            "Free: 0.0",
            "To be placed by the layout desk Garage: Quarter Page, Inside",
        ):
            self.assertIn(expected, text)
        self.assertIn("Page 2", self.march.with_user(self.user).flat_plan_html)
