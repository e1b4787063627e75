from odoo import api, fields, models
from odoo.tools import SQL

from ..utils.materialized_view import (
    create_materialized_view,
    refresh_materialized_view,
)

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
    "is_projected",
)
MEASURES = (
    "active_start",
    "active_end",
    "copies_start",
    "copies_end",
    "new_count",
    "renewed_count",
    "renewed_in_count",
    "renewed_out_count",
    "reactivated_count",
    "churned_count",
    "mrr_start",
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
    _inherit = "publication.analytics.facts"
    _description = "Subscriber Analytics"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    _ratio_measures = {"churn_rate": ("churned_count", "active_start")}

    churn_rate = fields.Float(
        string="Churn Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Churned / Active at Start; over several months or groups, the "
        "subscriptions churned in them over those active at their start (never an "
        "average of rates).",
    )

    def init(self):
        dimensions = SQL(", ").join(SQL.identifier(name) for name in DIMENSIONS)
        create_materialized_view(
            self.env.cr,
            self._table,
            SQL(
                "SELECT ROW_NUMBER() OVER () AS id, %s, %s, "
                "(100.0 * SUM(churned_count) / NULLIF(SUM(active_start), 0))::float "
                "AS churn_rate "
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
