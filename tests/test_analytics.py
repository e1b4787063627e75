from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import HelpdeskCommon, churn_risk_auc


@tagged("post_install", "-at_install")
class TestAnalytics(HelpdeskCommon):
    """Hand-computed figures on a few subscriptions of the monthly: confirmed
    subscriptions are delivered (payment grace)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.monthly.payment_grace_days = 30
        cls.plan_quarterly = cls.env["publication.subscription.plan"].create(
            {
                "name": "Quarterly",
                "publication_id": cls.monthly.id,
                "term_unit": "months",
                "term_length": 3,
                "price": 90.0,
            }
        )

    def _start(self, day, **vals):
        with freeze_time(day):
            return self._confirmed(date_start=day, **vals)

    def _cancel_on(self, subscription, day):
        with freeze_time(day):
            subscription._cancel(date.fromisoformat(day), self.reason_moved)

    def _months(self, **domain):
        Month = self.env["publication.subscription.month"]
        Month._refresh()
        rows = Month.search_read(
            [("publication_id", "=", self.monthly.id)]
            + [(name, "=", value) for name, value in domain.items()],
            [],
        )
        by_month = {}
        for row in rows:
            figures = by_month.setdefault(row["month"].isoformat()[:7], {})
            for name, value in row.items():
                if isinstance(value, (int, float)) and name != "id":
                    figures[name] = figures.get(name, 0) + value
        return by_month

    def test_mrr_of_a_quarterly_and_an_annual_term(self):
        """90 for a quarter is 30 a month for 3 months, 120 for a year 10 a
        month for 12 months; ARR is 12 times MRR."""
        self._start("2025-01-01", plan_id=self.plan_quarterly.id)
        self._start("2025-01-01", recipient_id=self.bob.id)
        months = self._months()
        self.assertEqual(months["2025-01"]["mrr"], 40.0)
        self.assertEqual(months["2025-01"]["arr"], 480.0)
        self.assertEqual(months["2025-01"]["mrr_new"], 40.0)
        self.assertEqual(months["2025-03"]["mrr"], 40.0)
        self.assertEqual(months["2025-04"]["mrr"], 10.0)
        self.assertEqual(months["2025-12"]["mrr"], 10.0)
        self.assertEqual(months["2025-01"]["new_count"], 2)
        self.assertEqual(months["2025-01"]["active_start"], 0)
        self.assertEqual(months["2025-01"]["active_end"], 2)
        # the quarter is delivered on 31 March: active at March's end, hence at
        # April's start, and it stops in April (not renewed: churned)
        self.assertEqual(months["2025-03"]["active_end"], 2)
        self.assertEqual(months["2025-04"]["active_start"], 2)
        self.assertEqual(months["2025-04"]["churned_count"], 1)
        self.assertEqual(months["2025-04"]["active_end"], 1)
        # invoiced on the first day: 11 months of 10 and 2 of 30 still owed
        self.assertEqual(months["2025-01"]["deferred"], 170.0)
        Sums = self.env["publication.analytics.month"]
        Sums._refresh()
        self.assertEqual(
            Sums._read_group(
                [
                    ("publication_id", "=", self.monthly.id),
                    ("month", "=", "2025-01-01"),
                ],
                [],
                ["mrr:sum", "new_count:sum", "active_end:sum"],
            ),
            [(40.0, 2, 2)],
        )

    def test_churn_with_a_mid_month_cancellation(self):
        """Cancelled on 15 March: active at March's start, not at its end,
        churned in March for its reason; March has no MRR any more."""
        subscription = self._start("2025-01-01", recipient_id=self.bob.id)
        self._start("2025-01-01")
        self._cancel_on(subscription, "2025-03-15")
        months = self._months(subscription_id=subscription.id)
        march = months["2025-03"]
        self.assertEqual(
            (march["active_start"], march["active_end"], march["churned_count"]),
            (1, 0, 1),
        )
        self.assertEqual(march["churn_rate"], 100.0)
        self.assertEqual(months["2025-02"]["mrr"], 10.0)
        self.assertEqual(march["mrr"], 0.0)
        self.assertEqual(march["mrr_churn"], -10.0)
        self.assertNotIn("2025-04", months)
        Month = self.env["publication.subscription.month"]
        by_reason = Month._read_group(
            [("publication_id", "=", self.monthly.id), ("month", "=", "2025-03-01")],
            ["churn_reason_id"],
            ["churned_count:sum"],
        )
        self.assertIn((self.reason_moved, 1), by_reason)
        [(rate,)] = Month._read_group(
            [("publication_id", "=", self.monthly.id), ("month", "=", "2025-03-01")],
            [],
            ["churn_rate:avg"],
        )
        self.assertEqual(rate, 50.0)

    def test_renewal_by_a_new_subscription(self):
        """Alice's term ending on 31 December is renewed by a new subscription
        starting on 1 January: the renewal rate counts it, the monthly facts
        count a renewal and the MRR change as renewal movement."""
        old = self._start("2025-01-01")
        with freeze_time("2026-01-01"):
            old._expire()
        self._start("2026-01-01", plan_id=self.plan_quarterly.id)
        self.assertEqual(old.state, "expired")
        Report = self.env["publication.renewal.report"]
        Report._refresh()
        self.assertEqual(
            Report.search_read([("subscription_id", "=", old.id)], ["renewed_count"])[
                0
            ]["renewed_count"],
            1,
        )
        months = self._months()
        january = months["2026-01"]
        self.assertEqual(january["renewed_count"], 1)
        self.assertEqual(january["new_count"], 0)
        self.assertEqual(january["churned_count"], 0)
        self.assertEqual(january["mrr_renewal"], 30.0 - 10.0)
        self.assertEqual(january["mrr"], 30.0)

    def test_cohort_of_three_readers(self):
        """Alice, Bob and Carol start in January 2025: Carol cancels in March,
        Bob's year is not renewed, Alice renews for 2026."""
        alice = self._start("2025-01-01")
        self._start("2025-01-01", recipient_id=self.bob.id)
        carol = self._start(
            "2025-01-01",
            recipient_id=self.carol.id,
            plan_id=self.plan_monthly_digital.id,
        )
        self._cancel_on(carol, "2025-03-15")
        with freeze_time("2026-01-01"):
            alice._expire()
        self._start("2026-01-01")
        Cohort = self.env["publication.cohort.report"]
        Cohort._refresh()
        retention = {
            months: rate
            for months, rate in Cohort._read_group(
                [("publication_id", "=", self.monthly.id)],
                ["months_after"],
                ["retention:avg"],
            )
        }
        self.assertEqual(retention[0], 100.0)
        self.assertEqual(retention[2], 100.0)
        self.assertAlmostEqual(retention[3], 200 / 3)
        self.assertAlmostEqual(retention[12], 100 / 3)

    def test_rates_are_ratios_of_the_totals(self):
        """The churn rate, the revenue renewal rate and the retention of any
        group of the stored sums are ratios of its totals, never averages of
        the rates of their rows or months."""
        bob = self._start("2025-01-01", recipient_id=self.bob.id)
        self._start("2025-01-01")
        self._start(
            "2025-02-01",
            recipient_id=self.carol.id,
            plan_id=self.plan_monthly_digital.id,
        )
        self._cancel_on(bob, "2025-03-15")
        self._months()
        Sums = self.env["publication.analytics.month"]
        Sums._refresh()
        spring = [("month", ">=", "2025-02-01"), ("month", "<=", "2025-03-01")]
        by_month = dict(Sums._read_group(spring, ["month:month"], ["churn_rate:avg"]))
        # March: Bob of the three active at its start; over February and
        # March: Bob of the two active on 1 February
        self.assertEqual(list(by_month.values()), [0.0, 100 / 3])
        [(rate,)] = Sums._read_group(spring, [], ["churn_rate:avg"])
        self.assertEqual(rate, 50.0)
        # a year of 120 renewed, a quarter of 90 not: 120 of 210 renewed
        old = self._start("2025-01-01", recipient_id=self.sponsor.id)
        with freeze_time("2026-01-01"):
            old._expire()
        self._start("2026-01-01", recipient_id=self.sponsor.id)
        dan = self.env["res.partner"].create({"name": "Dan", "zip": "10100"})
        quarter = self._start(
            "2025-10-01", recipient_id=dan.id, plan_id=self.plan_quarterly.id
        )
        Terms = self.env["publication.renewal.report"]
        Terms._refresh()
        [(rate, count_rate)] = Terms._read_group(
            [
                ("subscription_id", "in", (old | quarter).ids),
                ("date_end", ">=", "2025-12-01"),
                ("date_end", "<", "2026-01-01"),
            ],
            [],
            ["amount_renewal_rate:avg", "renewal_rate:avg"],
        )
        self.assertEqual(count_rate, 50.0)
        self.assertAlmostEqual(rate, 100 * 120 / 210)
        Cohort = self.env["publication.cohort.report"]
        Cohort._refresh()
        Totals = self.env["publication.cohort.total"]
        Totals._refresh()
        for months, rate, retained, readers in Totals._read_group(
            [],
            ["months_after"],
            ["retention_rate:avg", "retained_count:sum", "reader_count:sum"],
        ):
            self.assertAlmostEqual(rate, 100 * retained / readers, msg=months)

    def test_abc_split(self):
        """Revenue 700, 200, 60 (80 minus a credit note of 20) and 40 of 1,000:
        the first two make 80 %, the third is B, the last C; an invoice older
        than 12 months does not count."""
        Partner = self.env["res.partner"]
        customers = Partner.create([{"name": f"Customer {n}"} for n in range(4)])
        amounts = (700, 200, 80, 40)
        for customer, amount in zip(customers, amounts, strict=True):
            self.init_invoice(
                "out_invoice",
                partner=customer,
                invoice_date="2030-03-01",
                amounts=[amount],
                post=True,
            )
        self.init_invoice(
            "out_refund",
            partner=customers[2],
            invoice_date="2030-04-01",
            amounts=[20],
            post=True,
        )
        self.init_invoice(
            "out_invoice",
            partner=customers[3],
            invoice_date="2029-06-01",
            amounts=[5000],
            post=True,
        )
        Partner._refresh_abc_classes(today=date(2030, 6, 30))
        self.assertEqual(customers.mapped("abc_class"), ["a", "a", "b", "c"])
        self.assertEqual(customers.mapped("abc_revenue"), [700, 200, 60, 40])
        self.assertEqual(
            Partner.search([("abc_class", "=", "b"), ("id", "in", customers.ids)]),
            customers[2],
        )

    def test_one_customers_profit(self):
        """Bob pays 120 for the year; two copies of the monthly delivered by
        post on the south route cost 1.00 to print and 0.80 to deliver (the
        route's cost, not the publication's 0.50); a complaint costs 5.00:
        profit 120 - 3.60 - 5.00 = 111.40."""
        self.monthly.write(
            {"print_cost": 1.0, "delivery_cost": 0.5, "complaint_cost": 5.0}
        )
        self.route_south.delivery_cost = 0.8
        bob = self._start("2026-01-01", recipient_id=self.bob.id)
        with freeze_time("2026-01-01"):
            for day in (date(2026, 1, 1), date(2026, 2, 1)):
                self._issue(self.monthly, day).sudo()._freeze_distribution()
        self._ticket(self.bob, subscription_id=bob.id)
        Profit = self.env["publication.customer.profitability"]
        Profit._refresh()
        [(revenue, copy_cost, complaint_cost, profit)] = Profit._read_group(
            [("partner_id", "=", self.bob.id)],
            [],
            ["revenue:sum", "copy_cost:sum", "complaint_cost:sum", "profit:sum"],
        )
        self.assertEqual(revenue, 120.0)
        self.assertAlmostEqual(copy_cost, 3.6)
        self.assertEqual(complaint_cost, 5.0)
        self.assertAlmostEqual(profit, 111.4)

    def test_churn_risk_score_and_back_test(self):
        """Alice (fixed term, first year, two complaints) scores 40 and later
        cancels; Bob (continuous, first year) scores 10 and stays: the score
        ranks them right (AUC 1) and the nightly action stores it."""
        alice = self._start("2026-01-01")
        bob = self._start(
            "2026-01-01", recipient_id=self.bob.id, renewal_type="continuous"
        )
        self._ticket(self.alice, subscription_id=alice.id)
        self._ticket(self.alice, subscription_id=alice.id)
        today = date.today()
        self.patch(
            type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: 3600.0
        )
        self.env["publication.automation"]._cron_refresh_analytics()
        self.assertEqual((alice.churn_risk_score, bob.churn_risk_score), (40, 10))
        self.assertTrue(alice.churn_risk_high)
        self.assertFalse(bob.churn_risk_high)
        self._cancel_on(alice, today.isoformat())
        self.env["publication.automation"]._cron_refresh_analytics()
        self.assertEqual(alice.churn_risk_score, 0, "closed: no risk any more")
        self.assertEqual(self.alice.publication_churn_risk, 0)
        self.assertEqual(churn_risk_auc(alice | bob, today), (1.0, 1, 1))
