from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.tests import tagged

from .common import PublicationCommon

DIMENSIONS = (
    "publication_id",
    "plan_id",
    "channel",
    "origin",
    "delivery_method",
    "route_id",
    "company_id",
)
COUNT_MOVES = {
    "new_count": 1,
    "reactivated_count": 1,
    "renewed_in_count": 1,
    "renewed_out_count": -1,
    "churned_count": -1,
}
MRR_MOVES = (
    "mrr_new",
    "mrr_renewal",
    "mrr_expansion",
    "mrr_contraction",
    "mrr_churn",
)
FIGURES = ("active_start", "active_end", "mrr_start", "mrr", *COUNT_MOVES, *MRR_MOVES)
TODAY = date.today()
FIRST = TODAY.replace(day=1) - relativedelta(months=12)


def day(month, day_of_month=1):
    """A day of the month'th month of the history (0: a year ago, 12: now)."""
    return FIRST + relativedelta(months=month, day=day_of_month)


def month_end(month):
    return day(month + 1) - timedelta(days=1)


@tagged("post_install", "-at_install")
class TestMonthReconciliation(PublicationCommon):
    """A year of history up to today, as the scheduled actions and the clerks
    would have made it day by day: for every month, start + movements = end,
    for counts and MRR, in every dimension; a month's end is the next month's
    start."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.monthly | cls.daily).write(
            {"payment_grace_days": 30, "expiry_grace_days": 14}
        )
        Plan = cls.env["publication.subscription.plan"]
        cls.plan_quarterly = Plan.create(
            {
                "name": "Quarterly",
                "publication_id": cls.monthly.id,
                "term_length": 3,
                "price": 90.0,
                "renewal_type": "continuous",
            }
        )
        cls.plan_month = Plan.create(
            {
                "name": "Month by month",
                "publication_id": cls.monthly.id,
                "term_length": 1,
                "price": 10.0,
                "renewal_type": "continuous",
            }
        )
        readers = cls.env["res.partner"].create(
            [
                {"name": name, "zip": zip_code}
                for name, zip_code in (
                    ("Dan", "10200"),
                    ("Erin", "10700"),
                    ("Frank", "10300"),
                    ("Gina", "10800"),
                    ("Hugo", "10400"),
                    ("Ivy", "10900"),
                    ("Jack", "20100"),
                    ("Kim", "10100"),
                    ("Leo", "10650"),
                    ("Mia", "20200"),
                )
            ]
        )
        (cls.dan, cls.erin, cls.frank, cls.gina, cls.hugo) = readers[:5]
        (cls.ivy, cls.jack, cls.kim, cls.leo, cls.mia) = readers[5:]
        cls._make_history()
        cls.env["publication.subscription.month"]._refresh()
        cls.env["publication.analytics.month"]._refresh()

    @classmethod
    def _start(cls, start, confirm_on=None, **vals):
        """A subscription starting on start, confirmed (and invoiced) on
        confirm_on (start by default)."""
        with freeze_time(confirm_on or start):
            subscription = cls.env["publication.subscription"].create(
                {
                    "recipient_id": cls.alice.id,
                    "publication_id": cls.monthly.id,
                    "plan_id": cls.plan_annual.id,
                    "date_start": start,
                }
                | vals
            )
            subscription.action_confirm()
        return subscription

    @staticmethod
    def _on(when, method, *args):
        with freeze_time(when):
            return method(*args)

    @classmethod
    def _make_history(cls):
        moved = cls.reason_moved
        # Alice: a continuous year, renewed in advance for the next one
        alice = cls._start(day(0), renewal_type="continuous")
        cls._on(day(11, 20), alice._renew)
        # Bob: from mid-month, cancelled mid-month (credited)
        bob = cls._start(day(1, 15), recipient_id=cls.bob.id)
        cls._on(day(5, 20), bob._cancel, day(5, 20), moved)
        # Carol: from print to the e-paper, a new subscription the next day
        carol = cls._start(day(2), recipient_id=cls.carol.id)
        cls._on(day(6, 10), carol._cancel, day(6, 10), moved)
        cls._start(
            day(6, 11),
            recipient_id=cls.carol.id,
            plan_id=cls.plan_monthly_digital.id,
            origin="renewal",
        )
        # Dan: quarterly terms renewed, upgraded to 2 copies then downgraded,
        # expired after the third
        dan = cls._start(day(1), recipient_id=cls.dan.id, plan_id=cls.plan_quarterly.id)
        with freeze_time(day(2, 15)):
            dan.with_user(cls.user).quantity = 2
        cls._on(day(3, 25), dan._renew)
        with freeze_time(day(5, 10)):
            dan.with_user(cls.user).quantity = 1
        cls._on(day(6, 25), dan._renew)
        cls._on(day(10, 15), dan._expire)
        # Erin: a year with a two months' holiday
        erin = cls._start(day(3), recipient_id=cls.erin.id)
        cls._on(day(4, 20), erin._pause, day(5), month_end(6))
        # Frank: a fixed quarter expired, back after a gap (reactivated)
        frank = cls._start(
            day(1),
            recipient_id=cls.frank.id,
            plan_id=cls.plan_quarterly.id,
            renewal_type="fixed",
        )
        cls._on(day(4, 15), frank._expire)
        cls._start(day(8), recipient_id=cls.frank.id)
        # Gina: a fixed quarter expired, renewed within the grace by a new one
        gina = cls._start(
            day(2),
            recipient_id=cls.gina.id,
            plan_id=cls.plan_quarterly.id,
            renewal_type="fixed",
        )
        cls._on(day(5, 5), gina._expire)
        cls._start(
            day(5, 10),
            recipient_id=cls.gina.id,
            plan_id=cls.plan_quarterly.id,
            origin="renewal",
        )
        # Hugo: a gift; Mia: sponsored by the bank
        cls._start(
            day(4), recipient_id=cls.hugo.id, payer_id=cls.sponsor.id, origin="gift"
        )
        cls._start(
            day(7),
            recipient_id=cls.mia.id,
            payer_id=cls.sponsor.id,
            origin="sponsored",
            plan_id=cls.plan_monthly_digital.id,
        )
        # Ivy: month by month, cancelled today
        ivy = cls._start(day(8), recipient_id=cls.ivy.id, plan_id=cls.plan_month.id)
        for month in range(8, 12):
            cls._on(day(month, 25), ivy._renew)
        cls._on(TODAY, ivy._cancel, TODAY, moved)
        # Jack: new this month; Leo: invoiced the month before his start
        cls._start(day(12), recipient_id=cls.jack.id)
        cls._start(day(10), confirm_on=day(9, 20), recipient_id=cls.leo.id)
        # Kim: the daily
        cls._start(
            day(6),
            recipient_id=cls.kim.id,
            publication_id=cls.daily.id,
            plan_id=cls.plan_daily.id,
        )

    def _domain(self):
        return [("publication_id", "in", (self.monthly | self.daily).ids)]

    def _figures(self, model, dimension=None):
        """{(dimension value, month): {figure: sum}} of model."""
        groupby = ["month:month"] + ([dimension] if dimension else [])
        groups = self.env[model]._read_group(
            self._domain(), groupby, [f"{name}:sum" for name in FIGURES]
        )
        return {
            (group[1] if dimension else None, group[0]): dict(
                zip(FIGURES, group[len(groupby) :], strict=True)
            )
            for group in groups
        }

    def test_every_month_adds_up_in_every_dimension(self):
        months = [day(n) for n in range(13)]
        for model in ("publication.subscription.month", "publication.analytics.month"):
            totals = self._figures(model)
            self.assertEqual(
                [month for month in months if (None, month) not in totals],
                [],
                "every month of the year has figures, the current one included",
            )
            for name in ("reactivated_count", "renewed_in_count", "churned_count"):
                self.assertTrue(any(row[name] for row in totals.values()), name)
            for name in ("mrr_renewal", "mrr_contraction", "mrr_churn"):
                self.assertTrue(any(row[name] for row in totals.values()), name)
            current = totals[None, day(12)]
            self.assertEqual(current["new_count"], 1, "Jack")
            self.assertGreaterEqual(current["churned_count"], 1, "Ivy")
            for dimension in (None, *DIMENSIONS):
                self._assert_adds_up(model, dimension, self._figures(model, dimension))

    def _assert_adds_up(self, model, dimension, figures):
        for (value, month), row in figures.items():
            where = f"{model} by {dimension}={value}, {month}"
            moves = sum(row[name] * sign for name, sign in COUNT_MOVES.items())
            self.assertEqual(row["active_start"] + moves, row["active_end"], where)
            self.assertAlmostEqual(
                row["mrr_start"] + sum(row[name] for name in MRR_MOVES),
                row["mrr"],
                places=6,
                msg=where,
            )
            after = figures.get((value, month + relativedelta(months=1)))
            self.assertEqual(
                (after or {}).get("active_start", 0), row["active_end"], where
            )
            self.assertAlmostEqual(
                (after or {}).get("mrr_start", 0), row["mrr"], places=6, msg=where
            )

    def test_active_at_a_months_start(self):
        """Active at the start of the current month: the subscriptions
        delivered on the last day of the month before."""
        eve = day(12) - timedelta(days=1)
        subscriptions = self.env["publication.subscription"].search(
            self._domain() + [("state", "!=", "draft"), ("date_start", "<=", eve)]
        )
        delivered = subscriptions.filtered(
            lambda s: min(s.date_end, s.date_cancel or s.date_end) >= eve
        )
        figures = self._figures("publication.analytics.month")
        self.assertEqual(figures[None, day(12)]["active_start"], len(delivered))
        self.assertEqual(figures[None, day(11)]["active_end"], len(delivered))

    def test_totals_over_months(self):
        """Over several months, movements are summed, stocks are those of the
        first month's start and of the last month's end; months not over are
        projected and filtered out of the facts."""
        Sums = self.env["publication.analytics.month"]
        by_month = {
            month: figures for (_, month), figures in self._figures(Sums._name).items()
        }
        [(projected_months,)] = Sums._read_group(
            self._domain() + [("is_projected", "=", True)], [], ["month:min"]
        )
        self.assertEqual(projected_months, day(12), "the current month is not over")
        facts = self._domain() + [("is_projected", "=", False), ("month", ">=", day(1))]
        aggregates = [f"{name}:sum" for name in FIGURES]
        [totals] = Sums._read_group(facts, [], aggregates)
        totals = dict(zip(FIGURES, totals, strict=True))
        self.assertEqual(totals["active_start"], by_month[day(1)]["active_start"])
        self.assertEqual(totals["active_end"], by_month[day(11)]["active_end"])
        self.assertAlmostEqual(totals["mrr_start"], by_month[day(1)]["mrr_start"])
        self.assertAlmostEqual(totals["mrr"], by_month[day(11)]["mrr"])
        for name in (*COUNT_MOVES, *MRR_MOVES):
            self.assertAlmostEqual(
                totals[name],
                sum(by_month[day(n)][name] for n in range(1, 12)),
                msg=name,
            )
        # a quarter's figures: the start of its first month, the end of its last
        for month, *values in Sums._read_group(facts, ["month:quarter"], aggregates):
            values = dict(zip(FIGURES, values, strict=True))
            first = max(month, day(1))
            last = min(month + relativedelta(months=2), day(11))
            self.assertEqual(
                (values["active_start"], values["active_end"]),
                (by_month[first]["active_start"], by_month[last]["active_end"]),
            )
            self.assertAlmostEqual(values["mrr"], by_month[last]["mrr"])
        self.assertGreater(totals["churned_count"], 0)

    def test_deferred_revenue_of_terms_invoiced_in_advance(self):
        """At each month's end, what was invoiced by then for later months:
        Alice's year invoiced on its first day and renewed on 20 November for
        the next; Leo's year invoiced a month before it starts; Bob's year,
        cancelled in its fifth month, credited for the rest."""
        publication = self.env["publication.publication"].create(
            {
                "name": "Weekly Review",
                "code": "WR",
                "issues_per_year": 52,
                "product_id": self.product.id,
                "payment_grace_days": 30,
            }
        )
        plan = self.env["publication.subscription.plan"].create(
            {
                "name": "Annual",
                "publication_id": publication.id,
                "term_length": 12,
                "price": 120.0,
            }
        )
        vals = {"publication_id": publication.id, "plan_id": plan.id}
        alice = self._start(day(0), renewal_type="continuous", **vals)
        self._on(day(11, 20), alice._renew)
        self._start(day(4), confirm_on=day(3, 20), recipient_id=self.leo.id, **vals)
        bob = self._start(day(2), recipient_id=self.bob.id, **vals)
        self._on(day(6, 15), bob._cancel, day(6, 15), self.reason_moved)
        Month = self.env["publication.subscription.month"]
        Month._refresh()
        deferred = dict(
            Month._read_group(
                [("publication_id", "=", publication.id)],
                ["month:month"],
                ["deferred:sum"],
            )
        )
        expected = {
            day(n): 10.0 * (11 - n)  # Alice's first year
            + (120.0 if n == 11 else 0.0)  # her second year, invoiced in advance
            + (120.0 if n == 3 else 10.0 * (15 - n) if n > 3 else 0.0)  # Leo
            + (10.0 * (13 - n) if 2 <= n < 6 else 0.0)  # Bob until credited
            for n in range(12)
        }
        self.assertEqual({month: deferred.get(month) for month in expected}, expected)
