from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestCancelPause(PublicationCommon):
    def _refund(self, subscription):
        return subscription.sudo().period_ids.refund_id

    def test_cancel_credits_unused_days(self):
        subscription = self._confirmed()
        subscription._cancel(date(2026, 3, 31), self.reason_moved)
        refund = self._refund(subscription)
        # 275 of 365 days are not delivered: 120 * 275 / 365
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "partner_id": self.alice.id,
                    "reversed_entry_id": self._invoice(subscription).id,
                    "amount_total": 90.41,
                }
            ],
        )
        self.assertEqual(subscription.period_ids.refund_amount, 90.41)
        self.assertRecordValues(
            subscription,
            [
                {
                    "state": "cancelled",
                    "churn_reason_id": self.reason_moved.id,
                    "date_cancel": date(2026, 3, 31),
                    "date_end": date(2026, 3, 31),
                }
            ],
        )

    def test_cancel_credits_undelivered_issues(self):
        subscription = self._confirmed(plan_id=self.plan_issues.id)
        subscription._cancel(date(2026, 4, 15), self.reason_moved)
        # issues of Jan to Apr delivered, 8 of 12 not: 60 * 8 / 12
        self.assertEqual(self._refund(subscription).amount_total, 40.0)

    def test_cancel_credits_the_payer_of_a_gift(self):
        subscription = self._confirmed(recipient_id=self.bob.id, payer_id=self.alice.id)
        subscription._cancel(date(2025, 12, 31), self.reason_moved)
        self.assertEqual(self._refund(subscription).partner_id, self.alice)
        self.assertEqual(self._refund(subscription).amount_total, 120.0)

    def test_cancel_draft_makes_no_credit_note(self):
        subscription = self._subscription()
        subscription._cancel(date(2026, 1, 1), self.reason_moved)
        self.assertEqual(subscription.state, "cancelled")
        self.assertFalse(self._refund(subscription))

    def test_cancel_wizard_as_publication_user(self):
        subscription = self._confirmed()
        wizard = (
            self.env["publication.subscription.cancel.wizard"]
            .with_user(self.user)
            .with_context(active_ids=subscription.ids)
            .create(
                {
                    "date_cancel": "2026-06-30",
                    "churn_reason_id": self.reason_moved.id,
                    "churn_note": "Moves abroad",
                }
            )
        )
        wizard.action_cancel()
        self.assertEqual(subscription.state, "cancelled")
        self.assertEqual(subscription.churn_note, "Moves abroad")
        # 184 of 365 days not delivered
        self.assertEqual(self._refund(subscription).amount_total, 60.49)

    def test_pause_extends_end_by_missed_issues(self):
        subscription = self._confirmed()
        wizard = (
            self.env["publication.subscription.pause.wizard"]
            .with_user(self.user)
            .with_context(active_id=subscription.id)
            .create({"date_from": "2026-03-01", "date_to": "2026-04-30"})
        )
        wizard.action_pause()
        # March and April issues missed: ends with the 2nd issue after Dec 31
        self.assertEqual(subscription.date_end, date(2027, 2, 1))
        self.assertEqual(subscription.period_ids.date_end, date(2027, 2, 1))
        self.assertRecordValues(
            subscription.pause_ids,
            [
                {
                    "previous_date_end": date(2026, 12, 31),
                    "new_date_end": date(2027, 2, 1),
                }
            ],
        )

    def test_pause_without_issue_changes_nothing(self):
        subscription = self._confirmed()
        subscription._pause(date(2026, 3, 2), date(2026, 3, 20))
        self.assertEqual(subscription.date_end, date(2026, 12, 31))

    def test_pause_without_calendar_extends_by_days(self):
        subscription = self._confirmed(
            publication_id=self.daily.id, plan_id=self.plan_daily.id
        )
        subscription._pause(date(2026, 7, 1), date(2026, 7, 10))
        self.assertEqual(subscription.date_end, date(2027, 1, 10))

    def test_pause_refused_when_overlapping_or_outside(self):
        subscription = self._confirmed()
        subscription._pause(date(2026, 3, 1), date(2026, 3, 10))
        with self.assertRefused(ValidationError, "overlaps"):
            subscription._pause(date(2026, 3, 5), date(2026, 3, 20))
        with self.assertRefused(ValidationError, "outside subscription"):
            subscription._pause(date(2025, 12, 1), date(2025, 12, 20))
        with self.assertRefused(ValidationError, "before From"):
            subscription._pause(date(2026, 6, 10), date(2026, 6, 1))
        self.assertEqual(len(subscription.pause_ids), 1)
        self.assertEqual(subscription.date_end, date(2027, 1, 1))
