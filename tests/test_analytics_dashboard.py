import json

from odoo.tests import HttpCase, tagged

from .common import PublicationCommon, pivot_grouping


@tagged("post_install", "-at_install")
class TestAnalyticsDashboard(PublicationCommon, HttpCase):
    def test_dashboard_loads_for_a_publication_user(self):
        """The publisher's dashboard is served to a Publication User and each of
        its pivots reads its figures."""
        dashboard = self.env.ref(
            "publication_crm.spreadsheet_dashboard_publication_analytics"
        )
        self.authenticate(self.user.login, self.user.login)
        response = self.url_open(f"/spreadsheet/dashboard/data/{dashboard.id}")
        self.assertEqual(response.status_code, 200)
        snapshot = response.json()["snapshot"]
        self.assertEqual(len(snapshot["pivots"]), 5)
        for pivot in snapshot["pivots"].values():
            grouping_sets, aggregates = pivot_grouping(pivot)
            result = (
                self.env[pivot["model"]]
                .with_user(self.user)
                .formatted_read_grouping_sets(
                    pivot["domain"], grouping_sets, aggregates
                )
            )
            self.assertEqual(len(result), 4, pivot["name"])
        cells = json.dumps([sheet["cells"] for sheet in snapshot["sheets"]])
        for formula in ("=PIVOT(1)", "=PIVOT(5)"):
            self.assertIn(formula, cells)

    def test_dashboard_renders_in_the_browser(self):
        self.env["publication.analytics.month"]._refresh()
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "publication_crm_analytics_dashboard",
            login=self.user.login,
        )
