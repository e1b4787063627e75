from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import AdvertisingCommon

LINE_FIELDS = (
    "kind",
    "subscription_id",
    "name",
    "street",
    "zip",
    "city",
    "route_id",
    "stop",
    "delivery_method",
    "copies",
)


class DistributionCommon(AdvertisingCommon):
    """The monthly with payment grace (confirmed = delivered): Alice (north,
    2 copies, stop 3), Bob (south, post, 3 copies) and Carol (digital)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.monthly.payment_grace_days = 30
        cls.alice.write({"street": "1 Church Lane", "city": "Northtown"})
        cls.bob.write({"street": "9 Mill Road", "city": "Southtown"})

    def setUp(self):
        super().setUp()
        self.alice_sub = self._confirmed(quantity=2, route_stop=3)
        self.bob_sub = self._confirmed(recipient_id=self.bob.id, quantity=3)
        self.carol_sub = self._confirmed(
            recipient_id=self.carol.id, plan_id=self.plan_monthly_digital.id
        )
        self.march = self._issue(self.monthly, date(2026, 3, 1))
        self.april = self._issue(self.monthly, date(2026, 4, 1))

    def _lines(self, issue):
        return sorted(
            (
                tuple(line[f] for f in LINE_FIELDS)
                for line in issue.distribution_line_ids
            ),
            key=str,
        )

    def _by_route(self, issue):
        issue.invalidate_recordset()
        return sorted(
            (d.route_id.id, d.delivery_method, d.subscription_count, d.copies)
            for d in issue.distribution_ids
        )

    def _freeze_crons(self):
        self.patch(
            type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: 3600.0
        )
        return self.env["publication.issue"]._cron_freeze_distribution()


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestDistributionList(DistributionCommon):
    def test_button_freezes_the_list_with_addresses_as_they_were(self):
        forecast = self._by_route(self.march)
        self.march.with_user(self.manager).action_freeze_distribution()
        self.assertTrue(self.march.distribution_frozen_date)
        self.assertCountEqual(
            self._lines(self.march),
            (
                [
                    (
                        "subscription",
                        self.alice_sub,
                        "Alice",
                        "1 Church Lane",
                        "10100",
                        "Northtown",
                        self.route_north,
                        3,
                        "carrier",
                        2,
                    ),
                    (
                        "subscription",
                        self.bob_sub,
                        "Bob",
                        "9 Mill Road",
                        "10600",
                        "Southtown",
                        self.route_south,
                        0,
                        "post",
                        3,
                    ),
                    (
                        "subscription",
                        self.carol_sub,
                        "Carol",
                        False,
                        "20000",
                        False,
                        self.route_digital,
                        0,
                        "digital",
                        1,
                    ),
                ]
            ),
        )
        self.assertEqual(self._by_route(self.march), forecast, "forecast = list")
        self.assertTrue(all(d.frozen for d in self.march.distribution_ids))
        self.assertEqual(self.march.print_run, 6)

    def test_users_freeze_from_the_print_date_managers_any_time_once(self):
        employee = self._new_user("employee", "base.group_user")
        with self.assertRaises(AccessError):
            self.march.with_user(employee).action_freeze_distribution()
        with self.assertRaisesRegex(UserError, "only a Publication Manager"):
            self.march.with_user(self.user).action_freeze_distribution()
        self.march.with_user(self.manager).action_freeze_distribution()
        with self.assertRaisesRegex(UserError, "was frozen on"):
            self.march.with_user(self.manager).action_freeze_distribution()
        self.assertEqual(len(self.march.distribution_line_ids), 3)
        self.assertEqual(
            self.march.with_user(self.user).distribution_line_ids.mapped("copies"),
            self.march.distribution_line_ids.mapped("copies"),
            "Publication Users read the list",
        )

    def test_list_never_changes_after_later_edits(self):
        self.monthly.payment_grace_days = 0
        dave = self.env["res.partner"].create({"name": "Dave", "zip": "10200"})
        unpaid = self._confirmed(recipient_id=dave.id)
        self.assertEqual(unpaid.state, "waiting")
        self.march.with_user(self.manager).action_freeze_distribution()
        lines = self._lines(self.march)
        totals = self._by_route(self.march)
        april_before = self._by_route(self.april)
        # pay, raise copies, move, suspend and cancel after freezing
        self._pay(self._invoice(unpaid))
        self.assertEqual(unpaid.state, "active")
        self.alice_sub.quantity = 5
        self.alice.write({"street": "2 New Street", "zip": "10700"})
        self.assertEqual(self.alice_sub.route_id, self.route_south, "moved south")
        self.bob_sub.sudo()._write_state({"state": "suspended"})
        with freeze_time("2026-01-31"):  # on the day: a later date plans it
            self.carol_sub._cancel(date(2026, 1, 31), self.reason_moved)
        self.env.flush_all()
        self.assertNotEqual(
            self._by_route(self.april), april_before, "the forecast follows the edits"
        )
        self.assertEqual(self._lines(self.march), lines)
        self.assertEqual(self._by_route(self.march), totals)
        self.march.invalidate_recordset()
        self.assertEqual(self.march.print_run, 6)

    def test_reports_read_the_frozen_list(self):
        contract = self._contract()
        booking = self._book(contract, date(2026, 3, 1))
        self.march.with_user(self.manager).action_freeze_distribution()
        self.alice_sub.quantity = 10
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(booking.print_run, 7, "6 copies and the proof copy")
        Report = self.env["publication.complaint.report"]
        copies = Report._read_group(
            [("issue_id", "=", self.march.id)], [], ["copies:sum"]
        )[0][0]
        self.assertEqual(copies, 7, "complaint statistics per frozen copies")
        prints = self.env["publication.issue.distribution"]._read_group(
            [("issue_id", "in", (self.march | self.april).ids)],
            ["issue_id"],
            ["copies:sum"],
        )
        self.assertEqual(
            dict(prints), {self.march: 7, self.april: 14}, "April is a forecast"
        )

    def test_replacement_proof_and_extra_copies_on_the_list(self):
        self.route_north.extra_copies = 5
        self.route_south.extra_copies = 0
        self.bakery.write({"zip": "10650", "street": "3 Bread Street"})
        contract = self._contract()
        self._book(contract, date(2026, 3, 1))
        self._book(contract, date(2026, 3, 1), ad_format="full", position="back_cover")
        self._book(self._contract(partner_id=self.garage.id), date(2026, 4, 1))
        Replacement = self.env["publication.issue.replacement"]
        Replacement.create(
            {"issue_id": self.march.id, "subscription_id": self.bob_sub.id}
        )
        self.march.with_user(self.manager).action_freeze_distribution()
        extra = [
            (line.kind, line.route_id, line.delivery_method, line.copies, line.name)
            for line in self.march.distribution_line_ids
            if line.kind != "subscription"
        ]
        self.assertEqual(
            sorted(extra, key=str),
            sorted(
                [
                    ("replacement", self.route_south, "post", 1, "Bob"),
                    ("proof", self.route_south, "post", 1, "Bakery"),
                    ("extra", self.route_north, "carrier", 5, False),
                ],
                key=str,
            ),
            "one proof copy per advertiser, extras only on routes with extras",
        )
        self.assertEqual(self.march.print_run, 6 + 1 + 1 + 5)
        # a replacement sent later adds its own line; the others stay
        lines = self._lines(self.march)
        Replacement.create(
            {"issue_id": self.march.id, "subscription_id": self.alice_sub.id}
        )
        self.march.invalidate_recordset()
        self.assertEqual(self.march.print_run, 6 + 1 + 1 + 5 + 1)
        added = set(self._lines(self.march)) - set(lines)
        self.assertEqual(
            [(line[0], line[1], line[-1]) for line in added],
            [("replacement", self.alice_sub, 1)],
        )
        north = [
            d for d in self.march.distribution_ids if d.route_id == self.route_north
        ]
        self.assertEqual((north[0].copies, north[0].replacement_copies), (2 + 5 + 1, 1))

    def test_cron_freezes_on_the_print_deadline_and_catches_up(self):
        self.monthly.print_deadline_days = 2
        with freeze_time("2026-02-26"):
            self._freeze_crons()
            self.assertFalse(self.march.distribution_frozen_date)
        with freeze_time("2026-02-27"):
            self.assertTrue(self._freeze_crons())
            self.assertTrue(self.march.distribution_frozen_date)
            self.assertEqual(self.march.print_run, 6)
            self.assertFalse(self.april.distribution_frozen_date)
        february = self._issue(self.monthly, date(2026, 2, 1))
        self.assertTrue(february.distribution_frozen_date, "missed ones caught up")
        self.assertEqual(february.print_run, 6)
        with freeze_time("2026-04-05"):
            self.alice_sub.quantity = 4
            self._freeze_crons()
        self.assertEqual(self.march.print_run, 6, "frozen lists stay")
        self.april.invalidate_recordset()
        self.assertEqual(self.april.print_run, 8)
        may = self._issue(self.monthly, date(2026, 5, 1))
        self.assertEqual(may.print_date, date(2026, 4, 29))
        self.assertFalse(may.distribution_frozen_date)

    def test_print_deadline_must_not_be_negative(self):
        with self.assertRaisesRegex(UserError, "must not be negative, not -1"):
            self.monthly.print_deadline_days = -1
