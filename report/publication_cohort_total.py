from odoo import api, fields, models
from odoo.tools import SQL

from ..utils.materialized_view import (
    create_materialized_view,
    refresh_materialized_view,
)

RATIOS = {"retention_rate": ("retained_count", "reader_count")}


class PublicationCohortTotal(models.Model):
    """The cohort rows summed by cohort, months after the first start and
    publication, for the dashboard: Retention = Still Subscribed / Readers. A
    materialized view refreshed nightly after the cohort rows."""

    _name = "publication.cohort.total"
    _inherit = ["publication.ratio.report"]
    _ratio_measures = RATIOS
    _description = "Cohort Retention Totals"
    _auto = False
    _order = "cohort_month desc, months_after"
    _rec_name = "cohort_month"

    cohort_month = fields.Date(string="Cohort (First Start)", readonly=True)
    months_after = fields.Integer(string="Months After Start", readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    reader_count = fields.Integer(string="Readers", readonly=True)
    retained_count = fields.Integer(string="Still Subscribed", readonly=True)
    retention_rate = fields.Float(
        string="Retention (%)",
        readonly=True,
        aggregator="avg",
        help="Still Subscribed / Readers (never an average of rates).",
    )

    def init(self):
        create_materialized_view(
            self.env.cr,
            self._table,
            SQL(
                """
            SELECT ROW_NUMBER() OVER () AS id, cohort_month, months_after,
                   publication_id, company_id, SUM(reader_count) AS reader_count,
                   SUM(retained_count) AS retained_count,
                   (100.0 * SUM(retained_count) / NULLIF(SUM(reader_count), 0))::float
                       AS retention_rate
              FROM publication_cohort_report
             GROUP BY cohort_month, months_after, publication_id, company_id
            """
            ),
            [["cohort_month"]],
        )

    @api.model
    def _refresh(self):
        refresh_materialized_view(self)
