from datetime import date, timedelta
from itertools import pairwise

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AdvertisingCommon


@tagged("post_install", "-at_install")
class TestIssuePlanning(AdvertisingCommon):
    def _publication(self, code, issues_per_year, **vals):
        return self.env["publication.publication"].create(
            {"name": code, "code": code, "issues_per_year": issues_per_year} | vals
        )

    def _calendar(self, publication):
        return [(i.date, i.number) for i in publication.issue_ids.sorted("date")]

    @freeze_time("2025-12-01")
    def test_planning_twice_changes_nothing(self):
        weekly = self._publication("WK", 52)
        new = weekly._generate_issues(date(2026, 1, 1), date(2026, 12, 31))
        self.assertEqual(len(new), 53)
        calendar = self._calendar(weekly)
        self.assertFalse(weekly._generate_issues(date(2026, 1, 1), date(2026, 12, 31)))
        self.assertEqual(self._calendar(weekly), calendar)
        monthly = self._calendar(self.monthly)
        self.assertFalse(
            self.monthly._generate_issues(date(2026, 1, 1), date(2027, 12, 31))
        )
        self.assertEqual(self._calendar(self.monthly), monthly)

    @freeze_time("2025-12-01")
    def test_weekly_and_fortnightly_keep_their_weekday_across_years(self):
        for ipy, step in ((52, 7), (26, 14)):
            publication = self._publication(f"P{ipy}", ipy)
            publication._generate_issues(date(2026, 1, 1), date(2026, 12, 31))
            publication._generate_issues(date(2027, 1, 1), date(2027, 12, 31))
            dates = publication.issue_ids.sorted("date").mapped("date")
            self.assertEqual(publication.first_issue_date, date(2026, 1, 1))
            self.assertEqual({d.weekday() for d in dates}, {date(2026, 1, 1).weekday()})
            self.assertEqual({(b - a).days for a, b in pairwise(dates)}, {step})
            self.assertEqual(dates[-1].year, 2027)

    @freeze_time("2026-03-10")
    def test_moved_issue_day_moves_future_free_issues_only(self):
        contract = self._contract()
        booked = self._book(contract, date(2026, 6, 1))
        first_numbers = dict(self._calendar(self.monthly))
        self.monthly.first_issue_day = 15
        self.monthly._generate_issues(date(2026, 1, 1), date(2027, 12, 31))
        dates = self.monthly.issue_ids.mapped("date")
        fifteenths = [
            date(year, month, 15)
            for year in (2026, 2027)
            for month in range(1, 13)
            if date(year, month, 15) > date(2026, 3, 10)
        ]
        kept = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), booked.issue_date]
        self.assertEqual(sorted(dates), sorted(kept + fifteenths))
        self.assertEqual(len(dates), 26, "the year is not doubled")
        for day in kept:
            self.assertEqual(
                self._issue(self.monthly, day).number, first_numbers[day], day
            )
        self.assertEqual(booked.issue_id.date, date(2026, 6, 1))
        calendar = self._calendar(self.monthly)
        self.monthly._generate_issues(date(2026, 1, 1), date(2027, 12, 31))
        self.assertEqual(self._calendar(self.monthly), calendar)

    def test_new_weekday_replaces_future_issues(self):
        with freeze_time("2025-12-01"):
            weekly = self._publication("WK", 52)
            weekly._generate_issues(date(2026, 1, 1), date(2026, 12, 31))
        with freeze_time("2026-06-30"):
            weekly.first_issue_date = date(2026, 1, 5)  # a Monday
            weekly.action_generate_issues()
        issues = weekly.issue_ids.sorted("date")
        past = issues.filtered(lambda i: i.date <= date(2026, 6, 30))
        future = issues - past
        self.assertEqual({i.date.weekday() for i in past}, {3}, "Thursdays kept")
        self.assertEqual({i.date.weekday() for i in future}, {0}, "Mondays planned")
        self.assertEqual(future[0].date, date(2026, 7, 6))
        self.assertEqual(future[-1].date, date(2027, 12, 27))
        self.assertEqual(len(set(issues.mapped("number"))), len(issues))
        self.assertEqual(
            (future[0].date - past[-1].date), timedelta(days=11), "no gap of a week"
        )

    @freeze_time("2028-06-15")
    def test_a_year_never_planned_is_filled_in_full(self):
        new = self.monthly.action_generate_issues() and self.monthly.issue_ids.filtered(
            lambda i: i.date.year >= 2028
        )
        self.assertEqual(len(new), 24, "January to June 2028 too")
        self.assertEqual(min(new.mapped("date")), date(2028, 1, 1))
