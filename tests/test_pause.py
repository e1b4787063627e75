from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPause(PublicationCommon):
    def _pause_wizard(self, subscription, date_from, date_to):
        action = subscription.with_user(self.user).action_open_pause_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({"date_from": date_from, "date_to": date_to, "reason": "Holiday"})
        )
        self.assertEqual(wizard.subscription_id, subscription)
        wizard.action_pause()

    def _issues_between(self, date_from, date_to):
        return self.monthly.issue_ids.filtered(lambda i: date_from <= i.date <= date_to)

    def test_end_extended_by_the_missed_issues(self):
        subscription = self._confirmed()
        old_end = subscription.date_end
        date_from, date_to = date(2026, 3, 1), date(2026, 4, 30)
        self._pause_wizard(subscription, date_from, date_to)
        missed = self._issues_between(date_from, date_to)
        self.assertEqual(len(missed), 2, "March and April")
        new_end = subscription.date_end
        self.assertEqual(new_end, date(2027, 2, 1))
        gained = self._issues_between(old_end + timedelta(days=1), new_end)
        self.assertEqual(len(gained), len(missed), "exactly the missed issues")
        self.assertEqual(subscription.period_ids.date_end, new_end)
        self.assertRecordValues(
            subscription.pause_ids,
            [
                {
                    "date_from": date_from,
                    "date_to": date_to,
                    "reason": "Holiday",
                    "previous_date_end": old_end,
                    "new_date_end": new_end,
                }
            ],
        )

    def test_end_extended_by_days_without_issue_calendar(self):
        subscription = self._confirmed(
            publication_id=self.daily.id, plan_id=self.plan_daily.id
        )
        self.assertFalse(self.daily.issue_ids)
        old_end = subscription.date_end
        date_from, date_to = date(2026, 7, 1), date(2026, 7, 10)
        subscription.with_user(self.user)._pause(date_from, date_to)
        days = (date_to - date_from).days + 1
        self.assertEqual(subscription.date_end, old_end + timedelta(days=days))
        self.assertEqual(subscription.date_end, date(2027, 1, 10))

    def test_pause_without_issue_does_not_extend(self):
        subscription = self._confirmed()
        pause = subscription._pause(date(2026, 3, 2), date(2026, 3, 20))
        self.assertEqual(subscription.date_end, date(2026, 12, 31))
        self.assertEqual(pause.new_date_end, pause.previous_date_end)

    def test_overlapping_pause_refused(self):
        subscription = self._confirmed()
        subscription._pause(date(2026, 3, 1), date(2026, 3, 10))
        end = subscription.date_end
        with self.assertRefused(ValidationError, "overlaps the pause from 03/01/2026"):
            subscription._pause(date(2026, 3, 5), date(2026, 3, 20))
        with self.assertRefused(ValidationError, "overlaps"):
            subscription._pause(date(2026, 2, 20), date(2026, 3, 1))
        self.assertEqual(len(subscription.pause_ids), 1)
        self.assertEqual(subscription.date_end, end)

    def test_pause_outside_the_subscription_refused(self):
        subscription = self._confirmed()
        for date_from, date_to in (
            (date(2025, 12, 1), date(2025, 12, 20)),
            (date(2027, 1, 5), date(2027, 1, 20)),
        ):
            with self.assertRefused(ValidationError, "is outside subscription"):
                subscription._pause(date_from, date_to)
        with self.assertRefused(ValidationError, "Pause To (06/01/2026) is before"):
            subscription._pause(date(2026, 6, 10), date(2026, 6, 1))
        self.assertFalse(subscription.pause_ids)
        self.assertEqual(subscription.date_end, date(2026, 12, 31))

    def test_only_open_subscriptions_can_pause(self):
        draft = self._subscription()
        with self.assertRefused(UserError, "Only open subscriptions can be paused"):
            draft._pause(date(2026, 3, 1), date(2026, 3, 10))
        cancelled = self._confirmed(recipient_id=self.bob.id)
        with freeze_time("2026-06-30"):
            cancelled._cancel(date(2026, 6, 30), self.reason_moved)
        with self.assertRefused(UserError, "is Cancelled"):
            cancelled._pause(date(2026, 3, 1), date(2026, 3, 10))

    def test_print_run_skips_the_paused_subscription(self):
        self.monthly.payment_grace_days = 30
        paused = self._confirmed(quantity=2)
        self._confirmed(recipient_id=self.bob.id)
        paused._pause(date(2026, 3, 1), date(2026, 4, 30))
        expected = {
            date(2026, 2, 1): 3,
            date(2026, 3, 1): 1,  # Alice paused
            date(2026, 4, 1): 1,  # Alice paused
            date(2026, 5, 1): 3,
            date(2027, 1, 1): 2,  # Alice's extension, Bob ended
            date(2027, 2, 1): 2,
            date(2027, 3, 1): 0,
        }
        for day, copies in expected.items():
            self.assertEqual(self._issue(self.monthly, day).print_run, copies, day)
