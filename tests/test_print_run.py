from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPrintRun(PublicationCommon):
    def test_print_run_by_route_and_method(self):
        self.monthly.payment_grace_days = 30
        self._confirmed(quantity=2)  # Alice, north, carrier
        self._confirmed(recipient_id=self.bob.id, quantity=3)  # south, post
        self._confirmed(
            recipient_id=self.carol.id, plan_id=self.plan_monthly_digital.id
        )  # digital
        late = self.env["res.partner"].create({"name": "Late", "zip": "10300"})
        self._confirmed(recipient_id=late.id, date_start="2026-06-01", quantity=7)
        draft_reader = self.env["res.partner"].create({"name": "Draft", "zip": "10300"})
        self._subscription(recipient_id=draft_reader.id, quantity=5)
        self.monthly.payment_grace_days = 0
        unpaid = self.env["res.partner"].create({"name": "Unpaid", "zip": "10300"})
        self.assertEqual(
            self._confirmed(recipient_id=unpaid.id, quantity=11).state, "waiting"
        )

        march = self.monthly.issue_ids.filtered(lambda i: i.date == date(2026, 3, 1))
        self.assertRecordValues(
            march,
            [
                {
                    "print_run": 6,
                    "copies_post": 3,
                    "copies_carrier": 2,
                    "copies_digital": 1,
                }
            ],
        )
        by_route = {d.route_id: d.copies for d in march.distribution_ids}
        self.assertEqual(
            by_route,
            {self.route_north: 2, self.route_south: 3, self.route_digital: 1},
        )
        july = self.monthly.issue_ids.filtered(lambda i: i.date == date(2026, 7, 1))
        self.assertEqual(july.print_run, 13)
        self.assertEqual(july.copies_carrier, 9)

    def test_paused_and_cancelled_copies_not_printed(self):
        self.monthly.payment_grace_days = 30
        paused = self._confirmed(quantity=2)
        cancelled = self._confirmed(recipient_id=self.bob.id, quantity=3)
        paused._pause(date(2026, 3, 1), date(2026, 3, 31))
        cancelled._cancel(date(2026, 4, 15), self.reason_moved)
        issues = {i.date: i for i in self.monthly.issue_ids}
        self.assertEqual(issues[date(2026, 2, 1)].print_run, 5)
        self.assertEqual(issues[date(2026, 3, 1)].print_run, 3)
        self.assertEqual(issues[date(2026, 4, 1)].print_run, 5)
        self.assertEqual(issues[date(2026, 5, 1)].print_run, 2)
