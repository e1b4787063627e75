from odoo import api, fields, models
from odoo.tools import SQL

from ..utils.materialized_view import (
    create_materialized_view,
    refresh_materialized_view,
)

MAX_MONTHS = 24


class PublicationCohortReport(models.Model):
    """Cohort retention: a row per reader of a publication (its recipient) and
    month 0..24 after the reader's first start; Retention is 100 when the
    reader is still subscribed to the publication that many months after that
    start. Only months already past are shown. A materialized view refreshed
    nightly (and by ``_refresh``)."""

    _name = "publication.cohort.report"
    _description = "Cohort Retention"
    _auto = False
    _order = "cohort_month desc, months_after"
    _rec_name = "recipient_id"

    cohort_month = fields.Date(string="Cohort (First Start)", readonly=True)
    months_after = fields.Integer(string="Months After Start", readonly=True)
    recipient_id = fields.Many2one("res.partner", string="Reader", readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    reader_count = fields.Integer(string="Readers", readonly=True)
    retained_count = fields.Integer(string="Still Subscribed", readonly=True)
    retention = fields.Float(string="Retention (%)", readonly=True, aggregator="avg")

    def init(self):
        create_materialized_view(
            self.env.cr,
            self._table,
            SQL(
                """
            (
                WITH delivered AS (
                    SELECT recipient_id, publication_id, company_id, date_start,
                           LEAST(date_end, COALESCE(date_cancel, date_end)) AS stop
                      FROM publication_subscription
                     WHERE state != 'draft'
                       AND LEAST(date_end, COALESCE(date_cancel, date_end))
                           >= date_start
                ),
                reader AS (
                    SELECT recipient_id, publication_id, MIN(company_id) AS company_id,
                           MIN(date_start) AS first_start
                      FROM delivered
                     GROUP BY recipient_id, publication_id
                ),
                point AS (
                    SELECT r.*, k,
                           (r.first_start + k * interval '1 month')::date AS day
                      FROM reader r, generate_series(0, %s) k
                     WHERE (r.first_start + k * interval '1 month')::date
                           <= CURRENT_DATE
                )
                SELECT ROW_NUMBER() OVER (ORDER BY pt.recipient_id,
                                          pt.publication_id, pt.k) AS id,
                       date_trunc('month', pt.first_start)::date AS cohort_month,
                       pt.k AS months_after,
                       pt.recipient_id, pt.publication_id, pt.company_id,
                       1 AS reader_count,
                       r.retained::int AS retained_count,
                       100.0 * r.retained::int AS retention
                  FROM point pt
                 CROSS JOIN LATERAL (
                    SELECT EXISTS (
                        SELECT 1 FROM publication_subscription d
                         WHERE d.recipient_id = pt.recipient_id
                           AND d.publication_id = pt.publication_id
                           AND d.state != 'draft'
                           AND pt.day BETWEEN d.date_start AND LEAST(
                               d.date_end, COALESCE(d.date_cancel, d.date_end))
                    ) AS retained
                 ) r
            )
            """,
                MAX_MONTHS,
            ),
            [["cohort_month"]],
        )

    @api.model
    def _refresh(self):
        refresh_materialized_view(self)
