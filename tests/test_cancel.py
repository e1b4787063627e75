from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AutomationCommon, PublicationCommon


class CancelCommon(PublicationCommon):
    def _active(self, **vals):
        """A paid subscription: delivered."""
        subscription = self._confirmed(**vals)
        self._pay(self._invoice(subscription))
        self.assertEqual(subscription.state, "active")
        return subscription

    def _cancel_on(self, subscription, day, user=None):
        """Cancel on day (the last day of delivery), that day."""
        with freeze_time(day):
            subscription.with_user(user or self.user)._cancel(day, self.reason_moved)

    def assertCancelled(self, subscription, date_cancel, date_end=None):
        self.assertRecordValues(
            subscription,
            [
                {
                    "state": "cancelled",
                    "date_cancel": date_cancel,
                    "date_cancel_planned": False,
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
        return refund


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestCancel(CancelCommon):
    def test_credit_by_days(self):
        subscription = self._active()
        period = subscription.period_ids
        self.assertEqual((period.date_end - period.date_start).days + 1, 365)
        cancel = date(2026, 3, 31)
        self._cancel_on(subscription, cancel)
        expected = round(120.0 * (period.date_end - cancel).days / 365, 2)
        self.assertEqual(expected, 90.41)  # 275 of 365 days not delivered
        refund = self.assertCreditNote(subscription, self.alice, expected)
        self.assertIn("275 of 365 days (75.3 %)", refund.invoice_line_ids.name)
        self.assertCancelled(subscription, cancel)

    def test_credit_by_undelivered_issues(self):
        subscription = self._active(plan_id=self.plan_issues.id, quantity=2)
        period = subscription.period_ids
        cancel = date(2026, 4, 15)
        self._cancel_on(subscription, cancel)
        issues = self.monthly.issue_ids.filtered(
            lambda i: period.date_start <= i.date <= period.date_end
        )
        undelivered = issues.filtered(lambda i: i.date > cancel)
        self.assertEqual((len(undelivered), len(issues)), (8, 12))
        expected = round(60.0 * 2 * len(undelivered) / len(issues), 2)
        self.assertEqual(expected, 80.0)
        refund = self.assertCreditNote(subscription, self.alice, expected)
        self.assertIn("8 of 12 issues", refund.invoice_line_ids.name)
        self.assertCancelled(subscription, cancel)

    def test_credit_by_days_when_the_calendar_does_not_cover_the_period(self):
        """The calendar ends in December 2027: a term from March 2027 on is
        not covered; its 10 planned issues are not the 12 sold."""
        with freeze_time("2027-03-01"):
            subscription = self._active(
                plan_id=self.plan_issues.id, date_start="2027-03-01"
            )
        period = subscription.period_ids
        self.assertEqual(period.date_end, date(2028, 2, 28))  # 365 days estimated
        cancel = date(2027, 4, 15)
        self._cancel_on(subscription, cancel)
        expected = round(60.0 * (period.date_end - cancel).days / 365, 2)
        self.assertEqual(expected, 52.44)  # 319 of 365 days, not 8 of 10 issues
        refund = self.assertCreditNote(subscription, self.alice, expected)
        self.assertIn("319 of 365 days", refund.invoice_line_ids.name)

    def test_free_extension_is_not_credited_as_if_paid(self):
        """Three issues given for a complaint move the end to March 2027: the
        credit is still the undelivered share of the year invoiced."""
        subscription = self._active()
        subscription._extend_by_issues(3, "missed copies")
        self.assertEqual(subscription.date_end, date(2027, 3, 1))
        self._cancel_on(subscription, date(2026, 3, 31))
        self.assertCreditNote(subscription, self.alice, 90.41)  # 275 of 365 days

    def test_a_pause_is_credited_as_not_delivered_and_its_extension_not_at_all(self):
        subscription = self._active()
        subscription._pause(date(2026, 6, 1), date(2026, 6, 30))
        self.assertEqual(subscription.date_end, date(2027, 1, 1))
        self._cancel_on(subscription, date(2026, 8, 31))
        # delivered: 243 days to 31 August less the 30 of the pause
        self.assertCreditNote(subscription, self.alice, round(120.0 * 152 / 365, 2))

    def test_credit_of_a_gift_goes_to_the_payer(self):
        subscription = self._active(
            recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift"
        )
        subscription._cancel(date(2025, 12, 31), self.reason_moved)
        # cancelled the day before the start: nothing delivered, all credited
        self.assertCreditNote(subscription, self.alice, 120.0)
        self.assertCancelled(subscription, date(2025, 12, 31), date(2026, 1, 1))

    def test_cancel_after_the_end_credits_nothing(self):
        subscription = self._active()
        moves = self.env["account.move"].sudo().search_count([])
        self._cancel_on(subscription, date(2027, 1, 15))
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)
        self.assertCancelled(subscription, date(2027, 1, 15), date(2026, 12, 31))

    def test_cancel_draft_makes_no_credit_note(self):
        subscription = self._subscription()
        moves = self.env["account.move"].sudo().search_count([])
        subscription.with_user(self.user)._cancel(date(2026, 6, 1), self.reason_moved)
        self.assertEqual(subscription.state, "cancelled")
        self.assertFalse(subscription.period_ids)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)

    def test_cancel_free_subscription_makes_no_credit_note(self):
        subscription = self._confirmed(origin="member")
        moves = self.env["account.move"].sudo().search_count([])
        self._cancel_on(subscription, date(2026, 5, 31))
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)
        self.assertCancelled(subscription, date(2026, 5, 31))

    def test_cancel_wizard_as_publication_user(self):
        subscription = self._active()
        action = subscription.with_user(self.user).action_open_cancel_wizard()
        self.assertEqual(action["res_model"], "publication.subscription.cancel.wizard")
        with freeze_time("2026-06-30"):
            wizard = (
                self.env[action["res_model"]]
                .with_user(self.user)
                .with_context(**action["context"])
                .create(
                    {
                        "churn_reason_id": self.reason_moved.id,
                        "churn_note": "Moves abroad",
                    }
                )
            )
            self.assertEqual(wizard.date_cancel, date(2026, 6, 30), "today")
            self.assertEqual(wizard.subscription_ids, subscription)
            wizard.action_cancel()
        self.assertCancelled(subscription, date(2026, 6, 30))
        self.assertEqual(subscription.churn_note, "Moves abroad")
        expected = round(120.0 * (date(2026, 12, 31) - date(2026, 6, 30)).days / 365, 2)
        self.assertCreditNote(subscription, self.alice, expected)

    def test_cancel_refusals(self):
        subscription = self._active()
        with self.assertRefused(UserError, "Give a churn reason"):
            subscription._cancel(date(2026, 2, 1), self.env["publication.churn.reason"])
        with self.assertRefused(UserError, "is before the start of"):
            subscription._cancel(date(2025, 11, 30), self.reason_moved)
        self._cancel_on(subscription, date(2026, 2, 1))
        with self.assertRefused(UserError, "already closed"):
            subscription._cancel(date(2026, 3, 1), self.reason_moved)
        self.assertEqual(len(self._refund(subscription)), 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestNeverDelivered(CancelCommon):
    """A subscription awaiting payment was never delivered."""

    def test_cancel_awaiting_payment_on_the_first_day_credits_all(self):
        subscription = self._confirmed()
        self.assertEqual(subscription.state, "waiting")
        invoice = self._invoice(subscription)
        self._cancel_on(subscription, date(2026, 1, 1))
        refund = self.assertCreditNote(subscription, self.alice, 120.0)
        self.assertIn("365 of 365 days (100.0 %)", refund.invoice_line_ids.name)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual(subscription.amount_due, 0.0)
        # never delivered: no print run counts it, not even on its first day
        self.assertCancelled(subscription, date(2025, 12, 31), date(2026, 1, 1))

    def test_cancel_awaiting_payment_later_credits_all(self):
        subscription = self._confirmed()
        self._cancel_on(subscription, date(2026, 2, 15))
        self.assertCreditNote(subscription, self.alice, 120.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestCreditReconciled(CancelCommon):
    """Odoo reconciles a credit note with the invoice it reverses."""

    def test_unpaid_invoice_delivered_on_grace(self):
        self.monthly.payment_grace_days = 30
        subscription = self._confirmed()
        invoice = self._invoice(subscription)
        self._cancel_on(subscription, date(2026, 1, 10))
        refund = self.assertCreditNote(subscription, self.alice, 116.71)
        self.assertEqual(refund.payment_state, "paid")
        self.assertEqual(invoice.payment_state, "partial")
        self.assertAlmostEqual(invoice.amount_residual, 3.29)
        self.assertEqual(subscription.amount_due, 3.29)

    def test_paid_invoice_leaves_the_credit_to_refund(self):
        subscription = self._active()
        invoice = self._invoice(subscription)
        self._cancel_on(subscription, date(2026, 3, 31))
        refund = self.assertCreditNote(subscription, self.alice, 90.41)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(refund.payment_state, "not_paid")
        self.assertEqual(refund.amount_residual, 90.41)

    def test_partly_paid_invoice(self):
        self.monthly.payment_grace_days = 30
        subscription = self._confirmed()
        invoice = self._invoice(subscription)
        self._pay(invoice, amount=100.0)
        self._cancel_on(subscription, date(2026, 3, 31))
        refund = self.assertCreditNote(subscription, self.alice, 90.41)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertAlmostEqual(refund.amount_residual, 70.41)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPlannedCancel(CancelCommon, AutomationCommon):
    def test_a_cancellation_in_the_future_delivers_until_then(self):
        subscription = self._confirmed()  # active on payment grace
        invoice = self._invoice(subscription)
        subscription.with_user(self.user)._cancel(date(2026, 6, 30), self.reason_moved)
        self.assertRecordValues(
            subscription,
            [
                {
                    "state": "active",
                    "date_cancel": False,
                    "date_cancel_planned": date(2026, 6, 30),
                    "date_end": date(2026, 12, 31),
                    "churn_reason_id": self.reason_moved.id,
                }
            ],
        )
        self.assertFalse(self._refund(subscription))
        # until then: payment reminders, remedies and deliveries go on
        with freeze_time("2026-01-20"):
            self._run("_cron_dunning")
        self.assertEqual(self._events(subscription, "dunning")[0][0], date(2026, 1, 20))
        self._pay(invoice)
        subscription._extend_by_issues(1, "missed copy")
        self.assertEqual(subscription.date_end, date(2027, 1, 1))
        june = self._issue(self.monthly, date(2026, 6, 1))
        self.assertEqual(june.print_run, 1)
        with freeze_time("2026-06-29"):
            self._run("_cron_apply_planned_changes")
        self.assertEqual(subscription.state, "active")
        with freeze_time("2026-06-30"):
            self._run("_cron_apply_planned_changes")
        self.assertCancelled(subscription, date(2026, 6, 30))
        refund = self.assertCreditNote(
            subscription, self.alice, round(120.0 * 184 / 365, 2)
        )
        self.assertEqual(refund.reversed_entry_id, invoice)

    def test_a_cancellation_after_the_end_is_planned_on_the_end(self):
        subscription = self._confirmed()
        subscription._cancel(date(2027, 6, 30), self.reason_moved)
        self.assertEqual(subscription.date_cancel_planned, date(2026, 12, 31))
        with freeze_time("2026-12-15"):
            self._run("_cron_renewal_reminders")
        self.assertFalse(self._events(subscription, "reminder"), "not reminded")
        with freeze_time("2026-12-31"):
            self._run("_cron_apply_planned_changes")
        self.assertCancelled(subscription, date(2026, 12, 31))
        self.assertFalse(self._refund(subscription))

    def test_a_planned_cancellation_is_not_renewed(self):
        subscription = self._active_continuous(self.alice)
        subscription._cancel(date(2026, 6, 30), self.reason_moved)
        self.assertEqual(subscription.date_cancel_planned, date(2026, 3, 31))
        with freeze_time("2026-03-31"):
            self._run("_cron_renew", "_cron_apply_planned_changes")
        self.assertCancelled(subscription, date(2026, 3, 31))
        self.assertEqual(len(subscription.period_ids), 1, "not renewed")


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestExpiryUnpaid(CancelCommon, AutomationCommon):
    def test_expiring_unpaid_credits_the_whole_invoice(self):
        self.monthly.payment_grace_days = 0
        subscription = self._confirmed()
        self.assertEqual(subscription.state, "waiting")
        invoice = self._invoice(subscription)
        with freeze_time("2027-01-15"):
            self._run("_cron_expire")
        self.assertEqual(subscription.state, "expired")
        refund = self.assertCreditNote(subscription, self.alice, 120.0)
        self.assertEqual(refund.ref, "Expired unpaid, never delivered")
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual(subscription.amount_due, 0.0)
