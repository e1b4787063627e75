from odoo import api, fields, models
from odoo.tools import SQL

from .materialized_view import create_materialized_view, refresh_materialized_view


def month_index(expression):
    """SQL: months since year 0 of a date expression (consecutive integers)."""
    return (
        f"(EXTRACT(YEAR FROM {expression})::int * 12 "
        f"+ EXTRACT(MONTH FROM {expression})::int - 1)"
    )


def index_month(expression):
    """SQL: the first day of the month of a month index."""
    return f"make_date(({expression}) / 12, mod({expression}, 12) + 1, 1)"


# A subscription stops on its cancellation day or its end; a reader's next
# subscription of the publication starting within the publication's expiry
# grace after that is a renewal, a later one a reactivation (win-back).
SUBSCRIPTIONS_SQL = f"""
    stopped AS (
        SELECT s.id, s.recipient_id, s.payer_id, s.publication_id, s.plan_id,
               s.origin, pl.channel, s.delivery_method, s.route_id, s.company_id,
               s.churn_reason_id, s.quantity, s.state, s.date_start,
               LEAST(s.date_end, COALESCE(s.date_cancel, s.date_end)) AS date_stop,
               COALESCE(pub.expiry_grace_days, 0) AS grace
          FROM publication_subscription s
          JOIN publication_publication pub ON pub.id = s.publication_id
          JOIN publication_subscription_plan pl ON pl.id = s.plan_id
         WHERE s.state != 'draft'
           AND LEAST(s.date_end, COALESCE(s.date_cancel, s.date_end)) >= s.date_start
    ),
    linked AS (
        SELECT stopped.*,
               MAX(date_stop) OVER (reader ROWS BETWEEN UNBOUNDED PRECEDING
                                    AND 1 PRECEDING) AS previous_stop,
               LEAD(date_start) OVER reader AS next_start
          FROM stopped
        WINDOW reader AS (PARTITION BY recipient_id, publication_id
                          ORDER BY date_start, id)
    ),
    subscription AS (
        SELECT linked.*,
               CASE WHEN previous_stop IS NULL THEN 'new'
                    WHEN date_start <= previous_stop + 1 + grace THEN 'renewal'
                    ELSE 'reactivated' END AS start_kind,
               COALESCE(next_start <= date_stop + 1 + grace, FALSE) AS continued,
               {month_index("date_start")} AS first_idx,
               {month_index("date_stop + 1")} AS stop_idx
          FROM linked
    )
"""


class PublicationSubscriptionMonth(models.Model):
    """Monthly facts of each subscription, from its first month to the month
    after it stopped. A materialized view refreshed nightly (and by
    ``_refresh``): each report and the dashboard read stored rows."""

    _name = "publication.subscription.month"
    _inherit = "publication.analytics.facts"
    _description = "Subscriber Analytics (Monthly)"
    _auto = False
    _order = "month desc"
    _rec_name = "subscription_id"

    subscription_id = fields.Many2one("publication.subscription", readonly=True)
    recipient_id = fields.Many2one("res.partner", string="Reader", readonly=True)
    payer_id = fields.Many2one("res.partner", readonly=True)
    churn_rate = fields.Float(
        string="Churn Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the subscriptions active at the month's start that churned.",
    )

    def init(self):
        create_materialized_view(
            self.env.cr,
            self._table,
            SQL(self._query()),  # pylint: disable=sql-injection
            [["month"], ["publication_id"], ["subscription_id"]],
        )

    @api.model
    def _refresh(self):
        """Recompute the stored facts (the nightly action calls it)."""
        refresh_materialized_view(self)

    @staticmethod
    def _query():
        """Rows of subscription x month with the periods' amounts spread over
        their months: a period of N months (counted from its start day to
        Invoiced Until) gives amount / N to each of them while the
        subscription is still delivered at the month's end."""
        return f"""
        WITH {SUBSCRIPTIONS_SQL},
        period AS (
            SELECT p.subscription_id, p.date_start,
                   p.amount / (1 + EXTRACT(YEAR FROM a.age)::int * 12
                                 + EXTRACT(MONTH FROM a.age)::int) AS share,
                   {month_index("p.date_start")} AS first_idx,
                   LEAST({month_index("p.date_start")}
                         + EXTRACT(YEAR FROM a.age)::int * 12
                         + EXTRACT(MONTH FROM a.age)::int,
                         s.stop_idx - 1) AS last_idx,
                   {month_index("inv.invoice_date")} AS invoice_idx
              FROM publication_subscription_period p
              JOIN subscription s ON s.id = p.subscription_id
              LEFT JOIN account_move inv
                ON inv.id = p.invoice_id AND inv.state = 'posted'
             CROSS JOIN LATERAL (
                SELECT age(COALESCE(p.date_end_invoiced, p.date_end), p.date_start)
             ) a(age)
        ),
        month_row AS (
            SELECT s.*, m AS idx, {index_month("m")} AS month
              FROM subscription s,
                   generate_series(s.first_idx, CASE
                       WHEN s.state IN ('expired', 'cancelled') THEN s.stop_idx
                       ELSE GREATEST(s.first_idx, s.stop_idx - 1) END) m
        ),
        amounts AS (
            SELECT r.id, r.idx,
                   SUM(p.share) FILTER (
                       WHERE r.idx BETWEEN p.first_idx AND p.last_idx) AS mrr,
                   SUM(p.share * (p.last_idx - GREATEST(r.idx, p.first_idx - 1)))
                       FILTER (WHERE p.invoice_idx <= r.idx
                                 AND r.idx < p.last_idx) AS deferred,
                   COUNT(*) FILTER (
                       WHERE p.first_idx = r.idx AND p.date_start > r.date_start
                   ) AS renewals
              FROM month_row r
              JOIN period p ON p.subscription_id = r.id
             GROUP BY r.id, r.idx
        ),
        fact AS (
            SELECT r.*,
                   COALESCE(a.mrr, 0) AS mrr,
                   COALESCE(a.deferred, 0) AS deferred,
                   COALESCE(a.renewals, 0) AS renewals,
                   COALESCE(LAG(a.mrr) OVER (PARTITION BY r.id ORDER BY r.idx), 0)
                       AS mrr_before,
                   (r.date_start < r.month AND r.date_stop >= r.month - 1)
                       AS is_active_start,
                   (r.date_stop >= (r.month + interval '1 month')::date - 1)
                       AS is_active_end,
                   (r.state IN ('expired', 'cancelled') AND NOT r.continued
                    AND r.idx = r.stop_idx) AS is_churned
              FROM month_row r
              LEFT JOIN amounts a ON a.id = r.id AND a.idx = r.idx
        )
        SELECT ROW_NUMBER() OVER (ORDER BY f.id, f.idx) AS id,
               f.month, f.id AS subscription_id, f.recipient_id, f.payer_id,
               f.publication_id, f.plan_id, f.company_id, f.route_id, f.origin,
               f.channel, f.delivery_method,
               CASE WHEN f.is_churned THEN f.churn_reason_id END AS churn_reason_id,
               f.is_active_start::int AS active_start,
               f.is_active_end::int AS active_end,
               f.is_active_start::int * f.quantity AS copies_start,
               f.is_active_end::int * f.quantity AS copies_end,
               (f.idx = f.first_idx AND f.start_kind = 'new')::int AS new_count,
               (f.idx = f.first_idx AND f.start_kind = 'renewal')::int
                   + f.renewals AS renewed_count,
               (f.idx = f.first_idx AND f.start_kind = 'reactivated')::int
                   AS reactivated_count,
               f.is_churned::int AS churned_count,
               CASE WHEN f.is_active_start
                    THEN 100.0 * f.is_churned::int END AS churn_rate,
               f.mrr, f.mrr * 12 AS arr,
               CASE WHEN f.idx = f.first_idx AND f.start_kind != 'renewal'
                    THEN f.mrr ELSE 0 END AS mrr_new,
               CASE WHEN f.idx = f.first_idx AND f.start_kind = 'renewal'
                      OR f.renewals > 0
                      OR f.mrr = 0 AND f.continued AND f.idx = f.stop_idx
                    THEN f.mrr - f.mrr_before ELSE 0 END AS mrr_renewal,
               CASE WHEN f.idx > f.first_idx AND f.renewals = 0
                     AND f.mrr > f.mrr_before
                    THEN f.mrr - f.mrr_before ELSE 0 END AS mrr_expansion,
               CASE WHEN f.idx > f.first_idx AND f.renewals = 0
                     AND f.mrr < f.mrr_before AND NOT f.is_churned
                     AND NOT (f.mrr = 0 AND f.continued AND f.idx = f.stop_idx)
                    THEN f.mrr - f.mrr_before ELSE 0 END AS mrr_contraction,
               CASE WHEN f.is_churned THEN f.mrr - f.mrr_before ELSE 0 END
                   AS mrr_churn,
               CASE WHEN f.is_churned THEN f.mrr_before ELSE 0 END AS churned_mrr,
               f.deferred
          FROM fact f
        """
