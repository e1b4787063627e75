from odoo import api, fields, models
from odoo.tools import SQL

from ..models.publication_subscription_plan import RENEWAL_TYPES
from ..utils.materialized_view import (
    RESUBSCRIBED_SQL,
    create_materialized_view,
    refresh_materialized_view,
)

RATIOS = {"amount_renewal_rate": ("renewed_amount", "term_amount")}


class PublicationRenewalReport(models.Model):
    """One row per ended term of a subscription (a period whose end has passed
    or that was followed by a next one), renewed or not. A term is renewed by
    the next period of its subscription, by a trial conversion, by a gift
    conversion (its reader's own subscription that follows it), or by a new
    subscription of the same reader to the publication starting within the
    publication's expiry grace after the subscription stopped. The average of
    Renewal Rate over a group is the share of its terms that were renewed;
    Renewed Amount over Term Amount is the renewal rate in revenue. A
    materialized view refreshed nightly (and by ``_refresh``)."""

    _name = "publication.renewal.report"
    _inherit = ["publication.ratio.report"]
    _ratio_measures = RATIOS
    _description = "Renewal Analysis"
    _auto = False
    _order = "date_end desc"
    _depends = {
        "publication.subscription.period": [
            "subscription_id",
            "date_start",
            "date_end",
        ],
        "publication.subscription": [
            "publication_id",
            "renewal_type",
            "origin",
            "company_id",
            "recipient_id",
            "date_cancel",
        ],
        "publication.renewal.event": ["period_id", "kind"],
    }

    period_id = fields.Many2one("publication.subscription.period", readonly=True)
    subscription_id = fields.Many2one("publication.subscription", readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date_end = fields.Date(string="Term End", readonly=True)
    renewal_type = fields.Selection(RENEWAL_TYPES, readonly=True)
    origin = fields.Selection(
        lambda self: self.env["publication.subscription"]._fields["origin"].selection,
        readonly=True,
    )
    term_count = fields.Integer(string="Terms Ended", readonly=True)
    renewed_count = fields.Integer(string="Renewed", readonly=True)
    gift_conversion_count = fields.Integer(
        string="Gifts Converted",
        readonly=True,
        help="Terms of gifts and sponsored copies whose reader went on at their "
        "own cost.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    term_amount = fields.Monetary(readonly=True)
    renewed_amount = fields.Monetary(readonly=True)
    renewal_rate = fields.Float(
        string="Renewal Rate (%)", readonly=True, aggregator="avg"
    )
    amount_renewal_rate = fields.Float(
        string="Renewal Rate, Revenue (%)",
        readonly=True,
        aggregator="avg",
        help="Renewed Amount / Term Amount (never an average of rates).",
    )
    is_projected = fields.Boolean(
        string="Projected",
        readonly=True,
        help="A term ending in a month not over at the last refresh (the current "
        "month or a later one, renewed ahead): its month's rate is not a fact yet.",
    )

    def init(self):
        create_materialized_view(
            self.env.cr,
            self._table,
            SQL(
                """
            (
                SELECT
                    p.id,
                    p.id AS period_id,
                    s.id AS subscription_id,
                    s.publication_id,
                    s.company_id,
                    p.date_end,
                    s.renewal_type,
                    s.origin,
                    1 AS term_count,
                    r.renewed::int AS renewed_count,
                    EXISTS (
                        SELECT 1 FROM publication_renewal_event e
                         WHERE e.period_id = p.id AND e.kind = 'gift_conversion'
                    )::int AS gift_conversion_count,
                    p.amount AS term_amount,
                    CASE WHEN r.renewed THEN p.amount ELSE 0 END AS renewed_amount,
                    CASE WHEN r.renewed THEN 100.0 ELSE 0.0 END AS renewal_rate,
                    CASE WHEN p.amount != 0 THEN
                        CASE WHEN r.renewed THEN 100.0 ELSE 0.0 END
                    END AS amount_renewal_rate,
                    (date_trunc('month', p.date_end) + interval '1 month')::date
                        > CURRENT_DATE AS is_projected
                FROM publication_subscription_period p
                JOIN publication_subscription s ON s.id = p.subscription_id
                JOIN publication_publication pub ON pub.id = s.publication_id
                LEFT JOIN publication_subscription_period n
                  ON n.subscription_id = p.subscription_id
                 AND n.date_start = p.date_end + 1
                CROSS JOIN LATERAL (
                    SELECT n.id IS NOT NULL OR EXISTS (
                        SELECT 1 FROM publication_renewal_event e
                         WHERE e.period_id = p.id
                           AND e.kind IN ('trial_conversion', 'gift_conversion')
                    ) OR (p.date_end >= s.date_end AND %(resubscribed)s) AS renewed
                ) r
                WHERE s.state != 'draft'
                  AND (r.renewed OR p.date_end < CURRENT_DATE)
            )
            """,
                resubscribed=RESUBSCRIBED_SQL,
            ),
            [["date_end"]],
        )

    @api.model
    def _refresh(self):
        """Recompute the stored terms (the nightly action calls it)."""
        refresh_materialized_view(self)
