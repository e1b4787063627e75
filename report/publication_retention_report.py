from odoo import fields, models, tools
from odoo.tools import SQL


class PublicationRetentionReport(models.Model):
    """One row per save offer shown in a retention attempt: the average of
    Save Rate over an offer is the share of the readers it was shown to who
    accepted it."""

    _name = "publication.retention.report"
    _description = "Save Offers Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "publication.retention.attempt": [
            "subscription_id",
            "publication_id",
            "company_id",
            "date",
            "churn_reason_id",
            "offered_pause",
            "offered_plan_id",
            "offered_discount",
            "outcome",
        ],
    }

    attempt_id = fields.Many2one("publication.retention.attempt", readonly=True)
    subscription_id = fields.Many2one("publication.subscription", readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    churn_reason_id = fields.Many2one("publication.churn.reason", readonly=True)
    offer = fields.Selection(
        [
            ("pause", "Pause"),
            ("plan", "Cheaper or Digital Offer"),
            ("discount", "Discount"),
        ],
        readonly=True,
    )
    offered_count = fields.Integer(string="Shown", readonly=True)
    accepted_count = fields.Integer(string="Accepted", readonly=True)
    save_rate = fields.Float(string="Save Rate (%)", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                SELECT
                    a.id * 3 + o.rank AS id,
                    a.id AS attempt_id,
                    a.subscription_id,
                    a.publication_id,
                    a.company_id,
                    a.date,
                    a.churn_reason_id,
                    o.offer,
                    1 AS offered_count,
                    (a.outcome = o.offer)::int AS accepted_count,
                    CASE WHEN a.outcome = o.offer THEN 100.0 ELSE 0.0 END AS save_rate
                FROM publication_retention_attempt a
                CROSS JOIN LATERAL (
                    VALUES (0, 'pause', a.offered_pause),
                           (1, 'plan', a.offered_plan_id IS NOT NULL),
                           (2, 'discount', COALESCE(a.offered_discount, 0) > 0)
                ) AS o(rank, offer, shown)
                WHERE o.shown
            )
            """,
                SQL.identifier(self._table),
            )
        )
