from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestCancel(PublicationCommon):
    def assertCancelled(self, subscription, date_cancel, date_end=None):
        self.assertRecordValues(
            subscription,
            [
                {
                    "state": "cancelled",
                    "date_cancel": date_cancel,
                    "date_end": date_end or date_cancel,
                    "churn_reason_id": self.reason_moved.id,
                }
            ],
        )

    def assertCreditNote(self, subscription, partner, amount):
        invoice = self._invoice(subscription)
        refund = self._refund(subscription)
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "partner_id": partner.id,
                    "reversed_entry_id": invoice.id,
                    "amount_total": amount,
                }
            ],
        )
        self.assertEqual(subscription.period_ids.refund_amount, amount)

    def test_credit_by_days(self):
        subscription = self._confirmed()
        period = subscription.period_ids
        self.assertEqual((period.date_end - period.date_start).days + 1, 365)
        cancel = date(2026, 3, 31)
        subscription.with_user(self.user)._cancel(cancel, self.reason_moved)
        expected = round(120.0 * (period.date_end - cancel).days / 365, 2)
        self.assertEqual(expected, 90.41)  # 275 of 365 days not delivered
        self.assertCreditNote(subscription, self.alice, expected)
        self.assertCancelled(subscription, cancel)

    def test_credit_by_undelivered_issues(self):
        subscription = self._confirmed(plan_id=self.plan_issues.id, quantity=2)
        period = subscription.period_ids
        cancel = date(2026, 4, 15)
        subscription.with_user(self.user)._cancel(cancel, self.reason_moved)
        issues = self.monthly.issue_ids.filtered(
            lambda i: period.date_start <= i.date <= period.date_end
        )
        undelivered = issues.filtered(lambda i: i.date > cancel)
        self.assertEqual((len(undelivered), len(issues)), (8, 12))
        expected = round(60.0 * 2 * len(undelivered) / len(issues), 2)
        self.assertEqual(expected, 80.0)
        self.assertCreditNote(subscription, self.alice, expected)
        self.assertCancelled(subscription, cancel)

    def test_credit_of_a_gift_goes_to_the_payer(self):
        subscription = self._confirmed(
            recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift"
        )
        subscription._cancel(date(2025, 12, 31), self.reason_moved)
        # cancelled the day before the start: nothing delivered, all credited
        self.assertCreditNote(subscription, self.alice, 120.0)
        self.assertCancelled(subscription, date(2025, 12, 31), date(2026, 1, 1))

    def test_cancel_after_the_end_credits_nothing(self):
        subscription = self._confirmed()
        moves = self.env["account.move"].sudo().search_count([])
        subscription._cancel(date(2027, 1, 15), self.reason_moved)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)
        self.assertCancelled(subscription, date(2027, 1, 15), date(2026, 12, 31))

    def test_cancel_draft_makes_no_credit_note(self):
        subscription = self._subscription()
        moves = self.env["account.move"].sudo().search_count([])
        subscription.with_user(self.user)._cancel(date(2026, 1, 1), self.reason_moved)
        self.assertEqual(subscription.state, "cancelled")
        self.assertFalse(subscription.period_ids)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)

    def test_cancel_free_subscription_makes_no_credit_note(self):
        subscription = self._confirmed(origin="member")
        moves = self.env["account.move"].sudo().search_count([])
        subscription._cancel(date(2026, 5, 31), self.reason_moved)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)
        self.assertCancelled(subscription, date(2026, 5, 31))

    def test_cancel_wizard_as_publication_user(self):
        subscription = self._confirmed()
        self.assertFalse(self.user.has_group("account.group_account_invoice"))
        action = subscription.with_user(self.user).action_open_cancel_wizard()
        self.assertEqual(action["res_model"], "publication.subscription.cancel.wizard")
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.user)
            .with_context(**action["context"])
            .create(
                {
                    "date_cancel": "2026-06-30",
                    "churn_reason_id": self.reason_moved.id,
                    "churn_note": "Moves abroad",
                }
            )
        )
        self.assertEqual(wizard.subscription_ids, subscription)
        wizard.action_cancel()
        self.assertCancelled(subscription, date(2026, 6, 30))
        self.assertEqual(subscription.churn_note, "Moves abroad")
        expected = round(120.0 * (date(2026, 12, 31) - date(2026, 6, 30)).days / 365, 2)
        self.assertCreditNote(subscription, self.alice, expected)

    def test_cancel_refusals(self):
        subscription = self._confirmed()
        with self.assertRefused(UserError, "Give a churn reason"):
            subscription._cancel(date(2026, 2, 1), self.env["publication.churn.reason"])
        with self.assertRefused(UserError, "is before the start of"):
            subscription._cancel(date(2025, 11, 30), self.reason_moved)
        subscription._cancel(date(2026, 2, 1), self.reason_moved)
        with self.assertRefused(UserError, "already closed"):
            subscription._cancel(date(2026, 3, 1), self.reason_moved)
        self.assertEqual(len(self._refund(subscription)), 1)
