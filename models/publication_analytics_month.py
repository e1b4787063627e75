from odoo import api, fields, models
from odoo.tools import SQL

from .materialized_view import create_materialized_view, refresh_materialized_view
from .publication_issue import DELIVERY_METHODS

DIMENSIONS = (
    "month",
    "publication_id",
    "plan_id",
    "company_id",
    "route_id",
    "origin",
    "channel",
    "delivery_method",
    "churn_reason_id",
)
MEASURES = (
    "active_start",
    "active_end",
    "copies_start",
    "copies_end",
    "new_count",
    "renewed_count",
    "reactivated_count",
    "churned_count",
    "mrr",
    "arr",
    "mrr_new",
    "mrr_renewal",
    "mrr_expansion",
    "mrr_contraction",
    "mrr_churn",
    "churned_mrr",
    "deferred",
)


class PublicationAnalyticsMonth(models.Model):
    """The monthly facts summed by publication, offer, origin, channel,
    delivery method, route and churn reason: what the pivots and the dashboard
    read (a few rows per month instead of one per subscription). Rates are
    ratios of its sums (Churn Rate = Churned / Active at Start); the monthly
    facts per subscription average them. A materialized view refreshed
    nightly after the monthly facts."""

    _name = "publication.analytics.month"
    _description = "Subscriber Analytics"
    _auto = False
    _order = "month desc"
    _rec_name = "month"

    month = fields.Date(readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    plan_id = fields.Many2one(
        "publication.subscription.plan", string="Offer", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    route_id = fields.Many2one("publication.route", readonly=True)
    origin = fields.Selection(
        lambda self: self.env["publication.subscription"]._fields["origin"].selection,
        readonly=True,
    )
    channel = fields.Selection(
        lambda self: (
            self.env["publication.subscription.plan"]._fields["channel"].selection
        ),
        readonly=True,
    )
    delivery_method = fields.Selection(DELIVERY_METHODS, readonly=True)
    churn_reason_id = fields.Many2one("publication.churn.reason", readonly=True)
    active_start = fields.Integer(string="Active at Start", readonly=True)
    active_end = fields.Integer(string="Active at End", readonly=True)
    copies_start = fields.Integer(string="Copies at Start", readonly=True)
    copies_end = fields.Integer(string="Copies at End", readonly=True)
    new_count = fields.Integer(string="New", readonly=True)
    renewed_count = fields.Integer(string="Renewed", readonly=True)
    reactivated_count = fields.Integer(string="Reactivated", readonly=True)
    churned_count = fields.Integer(string="Churned", readonly=True)
    mrr = fields.Monetary(string="MRR", readonly=True)
    arr = fields.Monetary(string="ARR", readonly=True)
    mrr_new = fields.Monetary(string="MRR New", readonly=True)
    mrr_renewal = fields.Monetary(string="MRR Renewal", readonly=True)
    mrr_expansion = fields.Monetary(string="MRR Expansion", readonly=True)
    mrr_contraction = fields.Monetary(string="MRR Contraction", readonly=True)
    mrr_churn = fields.Monetary(string="MRR Churn", readonly=True)
    churned_mrr = fields.Monetary(string="Churned MRR (start)", readonly=True)
    deferred = fields.Monetary(string="Deferred Revenue", readonly=True)

    def init(self):
        dimensions = SQL(", ").join(SQL.identifier(name) for name in DIMENSIONS)
        create_materialized_view(
            self.env.cr,
            self._table,
            SQL(
                "SELECT ROW_NUMBER() OVER () AS id, %s, %s "
                "FROM publication_subscription_month GROUP BY %s",
                dimensions,
                SQL(", ").join(
                    SQL("SUM(%s) AS %s", SQL.identifier(name), SQL.identifier(name))
                    for name in MEASURES
                ),
                dimensions,
            ),
            [["month"]],
        )

    @api.model
    def _refresh(self):
        refresh_materialized_view(self)
