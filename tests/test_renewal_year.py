from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AutomationCommon


@tagged("post_install", "-at_install")
class TestRenewalYear(AutomationCommon):
    """A year of nightly runs, day by day, on four subscriptions."""

    def test_a_year_of_nightly_runs(self):
        dave = self.env["res.partner"].create({"name": "Dave", "zip": "10200"})
        with freeze_time("2026-01-01"):
            fixed = self._confirmed()  # Alice, annual, ends 2026-12-31
            prompt, never, late = self._active_continuous(self.bob | self.carol | dave)
            for subscription in fixed | prompt | never | late:
                self._pay(self._invoice(subscription))
        late_payment = date(2026, 5, 10)
        day = date(2026, 1, 1)
        while day <= date(2027, 2, 15):
            with freeze_time(day):
                self._run()
                # Bob pays each renewal the day after; Dave once, late
                for invoice in self._unpaid_invoices(prompt):
                    if invoice.invoice_date < day:
                        self._pay(invoice)
                if day == late_payment:
                    self.assertEqual(late.state, "suspended")
                    self._pay(self._unpaid_invoices(late))
                    self.assertEqual(late.state, "active", "payment resumes delivery")
                elif day > late_payment:
                    for invoice in self._unpaid_invoices(late):
                        self._pay(invoice)
            day += timedelta(days=1)

        quarter_ends = [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]
        self.assertEqual(
            self._events(fixed),
            [
                (date(2026, 12, 1), fixed, "reminder", 30),
                (date(2026, 12, 17), fixed, "reminder", 14),
                (date(2026, 12, 28), fixed, "reminder", 3),
                (date(2027, 1, 15), fixed, "expiry", 0),
                (date(2027, 1, 30), fixed, "winback", 0),
            ],
            "each reminder on its day and only once, expiry after 14 days of grace, "
            "win-back 30 days after the end",
        )
        self.assertEqual(
            self._events(prompt),
            [
                (day, prompt, "renewal", 0)
                for day in quarter_ends + [date(2026, 12, 31)]
            ],
            "renewed on each last day, once",
        )
        self.assertEqual(
            self._events(never),
            [
                (date(2026, 3, 31), never, "renewal", 0),
                (date(2026, 4, 7), never, "dunning", 7),
                (date(2026, 4, 21), never, "dunning", 21),
                (date(2026, 4, 30), never, "suspension", 0),
                (date(2026, 7, 15), never, "expiry", 0),
                (date(2026, 7, 30), never, "winback", 0),
            ],
        )
        self.assertEqual(
            self._events(late),
            [
                (date(2026, 3, 31), late, "renewal", 0),
                (date(2026, 4, 7), late, "dunning", 7),
                (date(2026, 4, 21), late, "dunning", 21),
                (date(2026, 4, 30), late, "suspension", 0),
            ]
            + [(day, late, "renewal", 0) for day in quarter_ends[1:]]
            + [(date(2026, 12, 31), late, "renewal", 0)],
        )
        self.assertRecordValues(
            fixed | prompt | never | late,
            [
                {"state": "expired", "date_end": date(2026, 12, 31)},
                {"state": "active", "date_end": date(2027, 3, 31)},
                {"state": "expired", "date_end": date(2026, 6, 30)},
                {"state": "active", "date_end": date(2027, 3, 31)},
            ],
        )
        self.assertEqual(
            fixed.churn_reason_id,
            self.env.ref("publication_crm.churn_reason_not_renewed"),
        )
        self.assertEqual(
            prompt.period_ids.mapped("date_start"),
            [date(2026, m, 1) for m in (1, 4, 7, 10)] + [date(2027, 1, 1)],
            "five quarters without gap or overlap",
        )
        self.assertEqual(len(prompt.period_ids.invoice_id), 5, "one invoice a period")
        self.assertEqual(prompt.period_ids.mapped("payment_state"), ["paid"] * 5)

    def _unpaid_invoices(self, subscription):
        return (
            subscription.sudo()
            .period_ids.filtered(lambda p: p.payment_state == "not_paid")
            .invoice_id
        )
