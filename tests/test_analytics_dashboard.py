import json
import re

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import file_open
from odoo.tools.translate import extract_spreadsheet_terms

from .common import (
    ODOO_CHARTS,
    PublicationCommon,
    dashboard_figures,
    pivot_grouping,
    read_dashboard_chart,
    read_dashboard_pivot,
)

PIVOT_VALUE = re.compile(r'PIVOT\.(VALUE|HEADER)\((\d+),((?:"[^"]*",?)+)')
POSITIONAL_VALUE = re.compile(
    r'=IF\(B\d+="","",PIVOT\.VALUE\((\d+),"(\w+)","#(\w+):month",A(\d+)\)\)$'
)
POSITIONAL_HEADER = re.compile(
    r'=IFERROR\(PIVOT\.HEADER\((\d+),"#(\w+):month",A(\d+)\),""\)$'
)
VALUE_OF_MONTH = re.compile(
    r'=IF\(B(\d+)="","",PIVOT\.VALUE\((\d+),"(\w+)","(\w+):month",B(\d+)\)\)$'
)
RATIO = re.compile(r'=IFERROR\(([A-Z]+\d+)/([A-Z]+\d+),""\)$')
REFERENCE = re.compile(r"=(?:Data!)?([A-Z]+\d+)$")
LAST = 37  # the Data row of the last month of the period (position 1)
KEY = LAST + 2  # the Data row heading the key figures, one row each below


class DataSheet:
    """The Data sheet of the dashboard evaluated on the server: each cell's
    formula is one of the few shapes the sheet uses (a positional pivot value
    or header, a pivot value of a month, a ratio, a reference), read from the
    pivots as the web client loads them (default filters, order)."""

    def __init__(self, env, snapshot, today):
        self.snapshot = snapshot
        self.cells = next(
            sheet["cells"] for sheet in snapshot["sheets"] if sheet["name"] == "Data"
        )
        self.groups = {}
        for pivot_id, pivot in snapshot["pivots"].items():
            __, groups = read_dashboard_pivot(env, snapshot, pivot, today)[:2]
            self.groups[pivot_id] = groups

    def _group(self, pivot_id, field, month):
        key = f"{field}:month"
        for group in self.groups[pivot_id]:
            if group[key] and group[key][0] == month:
                return group
        return None

    def __getitem__(self, ref):
        formula = self.cells.get(ref, "")
        if match := POSITIONAL_HEADER.match(formula):
            pivot_id, field, row = match.groups()
            groups = self.groups[pivot_id]
            position = int(self.cells[f"A{row}"])
            if position > len(groups):
                return ""
            return fields.Date.to_date(groups[position - 1][f"{field}:month"][0])
        if match := POSITIONAL_VALUE.match(formula):
            pivot_id, measure, field, row = match.groups()
            groups = self.groups[pivot_id]
            position = int(self.cells[f"A{row}"])
            if position > len(groups):
                return ""
            return groups[position - 1][self._aggregate(pivot_id, measure)]
        if match := VALUE_OF_MONTH.match(formula):
            row, pivot_id, measure, field, __ = match.groups()
            month = self[f"B{row}"]
            if month == "":
                return ""
            group = self._group(pivot_id, field, fields.Date.to_string(month))
            return group[self._aggregate(pivot_id, measure)] if group else ""
        if match := RATIO.match(formula):
            numerator, denominator = (self[ref] for ref in match.groups())
            try:
                return numerator / denominator
            except (TypeError, ZeroDivisionError):
                return ""
        if match := REFERENCE.match(formula):
            return self[match.group(1)]
        raise AssertionError(f"Data!{ref}: {formula} is not a shape of the sheet")

    def _aggregate(self, pivot_id, measure_id):
        pivot = self.snapshot["pivots"][pivot_id]
        measure = next(m for m in pivot["measures"] if m["id"] == measure_id)
        return f"{measure['fieldName']}:{measure['aggregator']}"


@tagged("post_install", "-at_install")
class TestAnalyticsDashboard(PublicationCommon, HttpCase):
    def _snapshot(self, user=None):
        dashboard = self.env.ref(
            "publication_crm.spreadsheet_dashboard_publication_analytics"
        )
        user = user or self.user
        self.authenticate(user.login, user.login)
        response = self.url_open(f"/spreadsheet/dashboard/data/{dashboard.id}")
        self.assertEqual(response.status_code, 200)
        return response.json()["snapshot"]

    def test_dashboard_loads_for_a_publication_user(self):
        """The publisher's dashboard is served to a Publication User and each of
        its pivots and Odoo charts reads its figures as the web client asks."""
        snapshot = self._snapshot()
        self.assertEqual(len(snapshot["pivots"]), 6)
        today = fields.Date.context_today(self.user)
        env = self.env(user=self.user)
        for pivot in snapshot["pivots"].values():
            result = read_dashboard_pivot(env, snapshot, pivot, today)
            self.assertEqual(len(result), len(pivot_grouping(pivot)[0]), pivot["model"])
        charts = dashboard_figures(snapshot, *ODOO_CHARTS)
        self.assertEqual(len(charts), 2)
        for chart in charts:
            read_dashboard_chart(env, snapshot, chart, today)
        # the dashboard shows its first sheet only: every table is there
        cells = json.dumps(snapshot["sheets"][0]["cells"])
        for pivot_id in snapshot["pivots"]:
            if pivot_id != "6":  # the key figures' pivot feeds the Data sheet
                self.assertIn(f"=PIVOT({pivot_id},", cells)

    def _assert_matching(self, snapshot, model, matching):
        """The global filters a pivot or chart matches exist, on its fields."""
        filters = {global_filter["id"] for global_filter in snapshot["globalFilters"]}
        self.assertLessEqual(set(matching), filters)
        for field_matching in matching.values():
            self.assertIn(field_matching["chain"], self.env[model]._fields)

    def test_pivots_and_formulas_reference_existing_fields(self):
        """Every pivot groups and measures fields of its model, facts only (no
        projected month); every pivot formula names a pivot, its measure and
        fields; every filter matches a field."""
        snapshot = self._snapshot()
        pivots = snapshot["pivots"]
        self.assertEqual(
            [f["type"] for f in snapshot["globalFilters"]], ["date", "relation"]
        )
        for pivot in pivots.values():
            model = self.env[pivot["model"]]
            if "is_projected" in model._fields:
                self.assertIn(["is_projected", "=", False], pivot["domain"])
            for dimension in pivot["rows"] + pivot["columns"]:
                self.assertIn(dimension["fieldName"], model._fields)
            for measure in pivot["measures"]:
                if "computedBy" not in measure and measure["fieldName"] != "__count":
                    self.assertIn(measure["fieldName"], model._fields)
            self._assert_matching(snapshot, pivot["model"], pivot["fieldMatching"])
        formulas = [
            (ref, formula)
            for sheet in snapshot["sheets"]
            for ref, formula in sheet["cells"].items()
        ]
        for ref, formula in formulas:
            for kind, pivot_id, args in PIVOT_VALUE.findall(formula):
                pivot = pivots[pivot_id]
                names = re.findall(r'"([^"]*)"', args)
                if kind == "VALUE":
                    measure, names = names[0], names[1:]
                    self.assertIn(measure, [m["id"] for m in pivot["measures"]])
                for group in names:
                    field = group.lstrip("#").split(":")[0]
                    self.assertIn(field, self.env[pivot["model"]]._fields, ref)
        # pivot 6 lists the months of facts latest first
        self.assertEqual(
            pivots["6"]["rows"],
            [{"fieldName": "month", "granularity": "month", "order": "desc"}],
        )

    def test_scorecards_show_the_last_month_of_the_period(self):
        """Each scorecard shows a key figure of the Data sheet's last row of
        months (the last month of the period: position 1 of the months latest
        first) and compares it with the month's start or the month before."""
        snapshot = self._snapshot()
        data = next(s for s in snapshot["sheets"] if s["name"] == "Data")["cells"]
        scorecards = {
            chart["title"]["text"]: (chart["keyValue"], chart["baseline"])
            for chart in dashboard_figures(snapshot, "scorecard")
        }
        titles = ("MRR", "Active readers", "Churn rate", "Renewal rate")
        self.assertEqual(
            scorecards,
            {
                title: (f"Data!B{KEY + row}", f"Data!C{KEY + row}")
                for row, title in enumerate(titles, start=1)
            },
        )
        previous = LAST - 1
        self.assertEqual(
            [data[f"{col}{KEY + row}"] for row in (1, 2, 3, 4) for col in "BC"],
            [
                f"=C{LAST}",  # MRR, MRR at Start
                f"=D{LAST}",
                f"=J{LAST}",  # Active at End, at Start
                f"=K{LAST}",
                f"=M{LAST}",  # churn rate, the month before's
                f"=M{previous}",
                f"=P{LAST}",  # renewal rate, the month before's
                f"=P{previous}",
            ],
        )
        self.assertEqual(
            (data[f"A{LAST}"], data[f"A{previous}"], data["A2"]), ("1", "2", "36")
        )
        # the month named above the cards, none (not 1899) before the figures
        self.assertEqual(
            snapshot["sheets"][0]["cells"]["A3"],
            f'=IF(Data!B{LAST}="", _t("Key figures"), SUBSTITUTE(_t("Key figures of '
            f'%s"), "%s", TEXT(Data!B{LAST}, "mmmm yyyy")))',
        )
        row = LAST
        header = f'=IFERROR(PIVOT.HEADER(6,"#month:month",A{row}),"")'

        def value(measure):
            return f'=IF(B{row}="","",PIVOT.VALUE(6,"{measure}","#month:month",A{row}))'

        def of_month(measure):
            return (
                f'=IF(B{row}="","",PIVOT.VALUE(3,"{measure}","date_end:month",B{row}))'
            )

        expected = {
            "B": header,
            "C": value("mrr"),
            "D": value("mrr_start"),
            "J": value("active_end"),
            "K": value("active_start"),
            "L": value("churned_count"),
            "M": f'=IFERROR(L{row}/K{row},"")',
            "N": of_month("term_count"),
            "O": of_month("renewed_count"),
            "P": f'=IFERROR(O{row}/N{row},"")',
        }
        self.assertEqual({col: data[f"{col}{row}"] for col in expected}, expected)

    def test_charts_are_bound_to_fields_or_data(self):
        """The Odoo charts plot a measure of their model by month, facts only;
        the others plot Data columns of the period's last 36 months (the rows
        past the period's months are empty: charts skip them)."""
        snapshot = self._snapshot()
        data = next(s for s in snapshot["sheets"] if s["name"] == "Data")["cells"]
        for chart in dashboard_figures(snapshot, *ODOO_CHARTS):
            meta = chart["metaData"]
            self.assertIn(meta["measure"], self.env[meta["resModel"]]._fields)
            self.assertEqual(meta["groupBy"], ["month:month"])
            self.assertIn(["is_projected", "=", False], chart["searchParams"]["domain"])
            self._assert_matching(snapshot, meta["resModel"], chart["fieldMatching"])
            self.assertTrue(self.env.ref(chart["actionXmlId"]))
        ranges = {
            chart["title"]["text"]: (
                chart["labelRange"],
                [ds["dataRange"] for ds in chart["dataSets"]],
            )
            for chart in dashboard_figures(snapshot, "bar", "line")
        }
        months = f"Data!B1:B{LAST}"
        self.assertEqual(
            ranges,
            {
                "MRR movement by month": (
                    months,
                    [f"Data!{col}1:{col}{LAST}" for col in "EFGHI"],
                ),
                "Churn rate by month": (months, [f"Data!M1:M{LAST}"]),
                "Renewal rate by month": (months, [f"Data!P1:P{LAST}"]),
            },
        )
        self.assertEqual(
            [data[f"{col}{LAST}"] for col in "EFGHI"],
            [
                f'=IF(B{LAST}="","",PIVOT.VALUE(6,"{measure}","#month:month",A{LAST}))'
                for measure in (
                    "mrr_new",
                    "mrr_renewal",
                    "mrr_expansion",
                    "mrr_contraction",
                    "mrr_churn",
                )
            ],
        )
        for menu in snapshot["chartOdooMenusReferences"].values():
            self.assertTrue(self.env.ref(menu))

    def test_texts_are_translatable(self):
        """The dashboard's texts are terms Odoo exports from its file: the
        cells' _t() formulas, the figures' titles, the filters' labels."""
        path = "publication_crm/data/files/publication_dashboard.json"
        with file_open(path, "rb") as file:
            terms = {term[2] for term in extract_spreadsheet_terms(file, [], [], {})}
        self.assertLessEqual(
            {
                "Key figures of %s",
                "MRR",
                "Active readers",
                "Churn rate",
                "Renewal rate",
                "vs previous month",
                "MRR by month",
                "MRR movement by month",
                "Active readers by month",
                "Churn rate by month",
                "Renewal rate by month",
                "Period",
                "Publication",
                "New",
                "Churn",
            },
            terms,
        )
        snapshot = self._snapshot()
        for sheet in snapshot["sheets"]:
            for ref, content in sheet["cells"].items():
                # no plain text (untranslated) in the cells
                plain = not content.startswith("=")
                self.assertFalse(plain and any(c.isalpha() for c in content), ref)

    def test_key_figures_of_the_last_month_over(self):
        """The scorecards show the last month over (not the current, projected
        one) and compare it with the month before: MRR and active readers
        against their start of the month, churn and renewal rates against the
        previous month's."""
        today = fields.Date.context_today(self.user)
        this_month = today.replace(day=1)
        last = this_month - relativedelta(months=1)
        start = this_month - relativedelta(months=12)  # annual terms end last month
        # Alice: renewed (a next period); Bob: expires at last month's end;
        # Carol: cancelled mid last month; a reader starting this month
        with freeze_time(start):
            alice = self._confirmed(date_start=start)
            bob = self._confirmed(date_start=start, recipient_id=self.bob.id)
            carol = self._confirmed(date_start=start, recipient_id=self.carol.id)
            for subscription in alice | bob | carol:
                self._pay(self._invoice(subscription))
        with freeze_time(last + relativedelta(days=14)):
            carol._cancel(last + relativedelta(days=14), self.reason_moved)
        with freeze_time(last + relativedelta(days=20)):
            alice._renew()
        with freeze_time(this_month):
            self._confirmed(date_start=this_month, recipient_id=self.sponsor.id)
        for model in (
            "publication.subscription.month",
            "publication.analytics.month",
            "publication.renewal.report",
            "publication.cohort.report",
            "publication.cohort.total",
        ):
            self.env[model]._refresh()
        snapshot = self._snapshot()
        data = DataSheet(self.env(user=self.user), snapshot, today)
        self.assertEqual(data[f"B{LAST}"], last)
        self.assertEqual(data[f"B{KEY}"], last)
        self.assertEqual(data[f"C{KEY}"], last - relativedelta(months=1))
        # straight from the monthly sums of the last month over
        Sums = self.env["publication.analytics.month"]
        [(mrr, mrr_start, active_end, active_start, churned)] = Sums._read_group(
            [("month", "=", last)],
            [],
            [
                "mrr:sum",
                "mrr_start:sum",
                "active_end:sum",
                "active_start:sum",
                "churned_count:sum",
            ],
        )
        self.assertEqual((active_start, churned, active_end), (3, 1, 2))
        mrr_figure, active_figure, churn_figure, renewal_figure = (
            (data[f"B{KEY + row}"], data[f"C{KEY + row}"]) for row in (1, 2, 3, 4)
        )
        self.assertEqual(mrr_figure, (mrr, mrr_start))
        self.assertEqual((mrr_start, mrr), (30.0, 20.0))
        self.assertEqual(active_figure, (2, 3))
        self.assertAlmostEqual(churn_figure[0], 1 / 3)
        self.assertEqual(churn_figure[1], 0.0)
        Terms = self.env["publication.renewal.report"]
        [(terms, renewed)] = Terms._read_group(
            [
                ("date_end", ">=", last),
                ("date_end", "<", this_month),
                ("is_projected", "=", False),
            ],
            [],
            ["term_count:sum", "renewed_count:sum"],
        )
        self.assertEqual((data[f"N{LAST}"], data[f"O{LAST}"]), (terms, renewed))
        self.assertAlmostEqual(renewal_figure[0], renewed / terms)
        self.assertEqual(renewed, 1)

    def test_dashboard_renders_in_the_browser(self):
        self.env["publication.analytics.month"]._refresh()
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "publication_crm_analytics_dashboard",
            login=self.user.login,
        )
