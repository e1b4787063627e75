from odoo import fields, models, tools
from odoo.tools import SQL

from .publication_issue import DELIVERY_METHODS

DELIVERED_STATES = ("active", "expired", "cancelled")


class PublicationIssueDistribution(models.Model):
    """Copies owed for each issue, by route and delivery method (SQL view).

    A subscription owes an issue when the issue's date lies between its start and
    end, it was delivered at that time (active, or since expired or cancelled on
    or after that date; a draft never confirmed has no period and was never
    delivered), and no pause covers the date.
    """

    _name = "publication.issue.distribution"
    _description = "Issue Distribution"
    _auto = False
    _order = "issue_id, route_id"
    _depends = {
        "publication.issue": ["publication_id", "company_id", "date"],
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

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
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
                    SUM(d.replacement_copies) AS replacement_copies
                FROM (
                    SELECT
                        i.id AS issue_id,
                        s.route_id,
                        s.delivery_method,
                        1 AS subscription_count,
                        s.quantity AS copies,
                        0 AS replacement_copies
                    FROM publication_issue i
                    JOIN publication_subscription s
                      ON s.publication_id = i.publication_id
                     AND s.date_start <= i.date
                     AND s.date_end >= i.date
                     AND s.state IN %s
                     AND (s.date_cancel IS NULL OR s.date_cancel >= i.date)
                     AND EXISTS (
                        SELECT 1
                          FROM publication_subscription_period sp
                         WHERE sp.subscription_id = s.id
                    )
                    WHERE NOT EXISTS (
                        SELECT 1
                          FROM publication_subscription_pause p
                         WHERE p.subscription_id = s.id
                           AND p.date_from <= i.date
                           AND p.date_to >= i.date
                    )
                    UNION ALL
                    SELECT
                        r.issue_id,
                        r.route_id,
                        r.delivery_method,
                        0,
                        r.quantity,
                        r.quantity
                    FROM publication_issue_replacement r
                ) d
                JOIN publication_issue i ON i.id = d.issue_id
                GROUP BY i.id, d.route_id, d.delivery_method
            )
            """,
                SQL.identifier(self._table),
                DELIVERED_STATES,
            )
        )
