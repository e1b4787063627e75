from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import HelpdeskCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-05-10 10:00:00")
class TestHelpdeskStatistics(HelpdeskCommon):
    """North gets 8 copies of each issue (Alice 3, Dave 5), South 2 (Bob).
    Complaints: March North 2 missed copies, March South 1 damaged copy,
    April North 1 late delivery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dave = cls.env["res.partner"].create({"name": "Dave", "zip": "10200"})
        cls.march = cls.monthly.issue_ids.filtered(lambda i: i.date == date(2026, 3, 1))
        cls.april = cls.monthly.issue_ids.filtered(lambda i: i.date == date(2026, 4, 1))

    def setUp(self):
        super().setUp()
        self._active(quantity=3)
        self._active(recipient_id=self.dave.id, quantity=5)
        self._active(recipient_id=self.bob.id, quantity=2)
        self._ticket(self.alice, self.cat_missed, issue_id=self.march.id)
        self._ticket(self.dave, self.cat_missed, issue_id=self.march.id)
        self._ticket(self.bob, self.cat_damaged, issue_id=self.march.id)
        self._ticket(self.alice, self.cat_late, issue_id=self.april.id)
        self.env.flush_all()

    def _stats(self, groupby):
        Report = self.env["publication.complaint.report"].with_user(self.user)
        return {
            group: (tickets, copies, rate)
            for group, tickets, copies, rate in Report._read_group(
                [("issue_id", "in", (self.march | self.april).ids)],
                [groupby],
                ["ticket_count:sum", "copies:sum", "complaints_per_thousand:sum"],
            )
        }

    def test_complaints_per_thousand_copies_by_route(self):
        self.assertEqual(
            self._stats("route_id"),
            {
                self.route_north: (3, 16, 187.5),  # 3 complaints / 2 x 8 copies
                self.route_south: (1, 4, 250.0),  # 1 complaint / 2 x 2 copies
            },
        )

    def test_complaints_per_thousand_copies_by_category(self):
        stats = self._stats("category_id")
        self.assertEqual(stats[self.cat_missed], (2, 20, 100.0))
        self.assertEqual(stats[self.cat_damaged], (1, 20, 50.0))
        self.assertEqual(stats[self.cat_late], (1, 20, 50.0))
        self.assertEqual(stats[self.cat_billing], (0, 20, 0.0))
        self.assertEqual(len(stats), 7, "every complaint category")

    def test_complaints_per_thousand_copies_by_issue_and_route(self):
        Report = self.env["publication.complaint.report"].with_user(self.user)
        groups = Report._read_group(
            [("issue_id", "in", (self.march | self.april).ids)],
            ["issue_id", "route_id"],
            ["ticket_count:sum", "copies:sum", "complaints_per_thousand:sum"],
        )
        self.assertEqual(
            sorted((i.date, r.code, t, c, p) for i, r, t, c, p in groups),
            [
                (date(2026, 3, 1), "N", 2, 8, 250.0),
                (date(2026, 3, 1), "S", 1, 2, 500.0),
                (date(2026, 4, 1), "N", 1, 8, 125.0),
                (date(2026, 4, 1), "S", 0, 2, 0.0),
            ],
        )
        rows = Report.search(
            [
                ("issue_id", "=", self.march.id),
                ("route_id", "=", self.route_north.id),
                ("category_id", "=", self.cat_missed.id),
            ]
        )
        self.assertRecordValues(
            rows, [{"ticket_count": 2, "copies": 8, "complaints_per_thousand": 250.0}]
        )
