"""What a Publication User may do only through the business methods: paths
that a change of one rule could break for another (found in review)."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import AutomationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestBusinessPaths(AutomationCommon):
    def _active(self):
        subscription = self._active_continuous(self.alice)
        return subscription.with_user(self.user)

    def test_a_user_writes_no_period_by_hand(self):
        period = self._active().period_ids[:1]
        for vals in ({"quantity": 50}, {"date_start": "2026-02-01"}):
            with self.assertRefused(AccessError, "by hand"):
                period.write(vals)

    def test_a_user_plans_no_copies_by_hand(self):
        subscription = self._active()
        for vals in (
            {"next_quantity": 10, "next_quantity_date": "2026-03-15"},
            {"reminder_days_sent": 30},
        ):
            with self.assertRefused(AccessError):
                subscription.write(vals)

    def test_a_user_renews_with_copies_planned_from_the_next_period(self):
        self.monthly.copies_change_policy = "next_period"
        subscription = self._active()
        subscription.quantity = 3
        subscription.action_renew()
        renewed = subscription.period_ids.sorted("date_start")[-1]
        self.assertRecordValues(
            renewed, [{"date_start": date(2026, 4, 1), "quantity": 3, "amount": 90.0}]
        )

    def test_a_planned_cancellation_is_not_renewed(self):
        subscription = self._active()
        subscription._cancel(date(2026, 6, 30), self.reason_moved)
        # planned for the end of the term at the latest
        self.assertEqual(subscription.date_cancel_planned, date(2026, 3, 31))
        self.assertFalse(subscription._online_offer())
        with self.assertRefused(UserError, "planned"):
            subscription.action_renew()
