from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.publication_issue.publication_issue import DELIVERY_METHODS


class PublicationIssueDistribution(models.Model):
    """Copies of each issue by route and delivery method (SQL view): the
    totals of its frozen distribution list, or before the list is frozen the
    live forecast (see publication.distribution.line for the rules).
    """

    _name = "publication.issue.distribution"
    _description = "Issue Distribution"
    _auto = False
    _order = "issue_id, route_id"
    _depends = {
        "publication.issue": [
            "publication_id",
            "company_id",
            "date",
            "distribution_frozen_date",
        ],
        "publication.distribution.total": [
            "issue_id",
            "route_id",
            "delivery_method",
            "copies",
        ],
        "publication.route": ["extra_copies", "delivery_method", "active"],
        "publication.ad.booking": ["issue_id", "partner_id", "state"],
        "publication.subscription": [
            "publication_id",
            "date_start",
            "date_end",
            "state",
            "route_id",
            "delivery_method",
            "quantity",
            "date_cancel",
        ],
        "publication.subscription.period": ["subscription_id"],
        "publication.subscription.pause": ["subscription_id", "date_from", "date_to"],
        "publication.issue.replacement": [
            "issue_id",
            "route_id",
            "delivery_method",
            "quantity",
        ],
    }

    issue_id = fields.Many2one("publication.issue", readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    route_id = fields.Many2one("publication.route", readonly=True)
    delivery_method = fields.Selection(DELIVERY_METHODS, readonly=True)
    subscription_count = fields.Integer(string="Subscriptions", readonly=True)
    copies = fields.Integer(readonly=True)
    replacement_copies = fields.Integer(
        readonly=True, help="Copies sent again for complaints, included in Copies."
    )
    frozen = fields.Boolean(
        readonly=True, help="From the frozen distribution list, not a forecast."
    )

    def init(self):
        """Frozen issues read their list's totals; the others the live
        forecast, from the same rows the list will be written from."""
        tools.drop_view_if_exists(self.env.cr, self._table)
        forecast = self.env["publication.distribution.line"]._rows_sql(
            SQL("i.distribution_frozen_date IS NULL")
        )
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                SELECT
                    (i.id::bigint << 24) + COALESCE(d.route_id, 0)
                        + CASE d.delivery_method WHEN 'digital' THEN 1 << 23 ELSE 0 END
                        AS id,
                    i.id AS issue_id,
                    i.publication_id,
                    i.company_id,
                    i.date,
                    d.route_id,
                    d.delivery_method,
                    SUM(d.subscription_count) AS subscription_count,
                    SUM(d.copies) AS copies,
                    SUM(d.replacement_copies) AS replacement_copies,
                    bool_or(d.frozen) AS frozen
                FROM (
                    SELECT t.issue_id, t.route_id, t.delivery_method,
                           t.subscription_count, t.copies, t.replacement_copies,
                           TRUE AS frozen
                      FROM publication_distribution_total t
                    UNION ALL
                    SELECT f.issue_id, f.route_id, f.delivery_method,
                           CASE f.kind WHEN 'subscription' THEN 1 ELSE 0 END,
                           f.copies,
                           CASE f.kind WHEN 'replacement' THEN f.copies ELSE 0 END,
                           FALSE
                      FROM (%s) f
                ) d
                JOIN publication_issue i ON i.id = d.issue_id
                GROUP BY i.id, d.route_id, d.delivery_method
            )
            """,
                SQL.identifier(self._table),
                forecast,
            )
        )
