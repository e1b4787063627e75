from odoo import api, fields, models
from odoo.tools import SQL

from ..utils.materialized_view import (
    create_materialized_view,
    refresh_materialized_view,
)


def month_index(expression):
    """SQL: months since year 0 of a date expression (consecutive integers)."""
    return SQL(
        "(EXTRACT(YEAR FROM %(e)s)::int * 12 + EXTRACT(MONTH FROM %(e)s)::int - 1)",
        e=expression,
    )


def index_month(expression):
    """SQL: the first day of the month of a month index."""
    return SQL("make_date((%(e)s) / 12, mod(%(e)s, 12) + 1, 1)", e=expression)


# A subscription stops on its cancellation day or its end; a reader's next
# subscription of the publication starting within the publication's expiry
# grace after that is a renewal, a later one a reactivation (win-back).
SUBSCRIPTIONS_SQL = SQL(
    """
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
               %(first_idx)s AS first_idx,
               %(stop_idx)s AS stop_idx
          FROM linked
    )
""",
    first_idx=month_index(SQL("date_start")),
    stop_idx=month_index(SQL("date_stop + 1")),
)


class PublicationSubscriptionMonth(models.Model):
    """Monthly facts of each subscription, from its first month (or the month
    of its first invoice, when earlier) to the month it stops in: the month of
    the day after its last delivery, planned ends included (projected months).
    A materialized view refreshed nightly (and by ``_refresh``): each report
    and the dashboard read stored rows."""

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
        help="Share of the subscriptions active at the month's start that churned "
        "(averaged over the rows of the subscriptions active at a month's start, "
        "it is Churned / Active at Start).",
    )

    def init(self):
        create_materialized_view(
            self.env.cr,
            self._table,
            self._query(),
            [["month"], ["publication_id"], ["subscription_id"]],
        )

    @api.model
    def _refresh(self):
        """Recompute the stored facts (the nightly action calls it)."""
        refresh_materialized_view(self)

    @staticmethod
    def _query():
        """Rows of subscription x month, from its first month (or the month it
        was first invoiced in, when earlier) to the month it stops in. The
        periods' amounts are spread over their months: a period of N months
        (counted from its start day to Invoiced Until) gives amount / N to each
        of them while the subscription is still delivered at the month's end.

        Every row adds up: Active at End = Active at Start + New + Reactivated
        + Renewed In - Renewed Out - Churned, and MRR = MRR at Start + the MRR
        movements (exactly one of them takes the change of a row)."""
        start_idx = month_index(SQL("p.date_start"))
        return SQL(
            """
        WITH %(subscriptions)s,
        period AS (
            SELECT p.subscription_id, p.date_start, p.amount / n.months AS share,
                   %(start_idx)s AS first_idx,
                   %(start_idx)s + n.months - 1 AS end_idx,
                   LEAST(%(start_idx)s + n.months - 1,
                         s.stop_idx - 1) AS last_idx,
                   %(invoice_idx)s AS invoice_idx,
                   %(refund_idx)s AS refund_idx
              FROM publication_subscription_period p
              JOIN subscription s ON s.id = p.subscription_id
              LEFT JOIN account_move inv
                ON inv.id = p.invoice_id AND inv.state = 'posted'
              LEFT JOIN account_move ref
                ON ref.id = p.refund_id AND ref.state = 'posted'
             CROSS JOIN LATERAL (
                SELECT age(COALESCE(p.date_end_invoiced, p.date_end), p.date_start)
             ) a(age)
             CROSS JOIN LATERAL (
                SELECT 1 + EXTRACT(YEAR FROM a.age)::int * 12
                         + EXTRACT(MONTH FROM a.age)::int
             ) n(months)
        ),
        invoiced AS (
            SELECT subscription_id, MIN(invoice_idx) AS idx
              FROM period GROUP BY subscription_id
        ),
        month_row AS (
            SELECT s.*, m AS idx, %(month)s AS month
              FROM subscription s
              LEFT JOIN invoiced i ON i.subscription_id = s.id
             CROSS JOIN LATERAL generate_series(
                LEAST(s.first_idx, i.idx), s.stop_idx) m
        ),
        amounts AS (
            SELECT r.id, r.idx,
                   SUM(p.share) FILTER (
                       WHERE r.idx BETWEEN p.first_idx AND p.last_idx) AS mrr,
                   SUM(p.share * (d.until_idx - GREATEST(r.idx, p.first_idx - 1)))
                       FILTER (WHERE p.invoice_idx <= r.idx
                                 AND r.idx < d.until_idx) AS deferred,
                   COUNT(*) FILTER (
                       WHERE p.first_idx = r.idx AND p.date_start > r.date_start
                   ) AS renewals
              FROM month_row r
              JOIN period p ON p.subscription_id = r.id
             -- invoiced for months up to the period's end, until a credit
             -- note takes back the months after the stop
             CROSS JOIN LATERAL (
                SELECT CASE WHEN p.refund_idx <= r.idx THEN p.last_idx
                            ELSE p.end_idx END
             ) d(until_idx)
             GROUP BY r.id, r.idx
        ),
        fact AS (
            SELECT r.*,
                   COALESCE(a.mrr, 0) AS mrr,
                   COALESCE(a.deferred, 0) AS deferred,
                   COALESCE(a.renewals, 0) AS renewals,
                   COALESCE(LAG(a.mrr) OVER (PARTITION BY r.id ORDER BY r.idx), 0)
                       AS mrr_before,
                   -- delivered on the last day of the month before / of the
                   -- month: the end of a month is the start of the next
                   (r.first_idx < r.idx AND r.idx <= r.stop_idx) AS is_active_start,
                   (r.first_idx <= r.idx AND r.idx < r.stop_idx) AS is_active_end,
                   r.idx = r.first_idx AS is_first,
                   r.idx = r.stop_idx AS is_stop,
                   (r.idx = r.stop_idx AND NOT r.continued) AS is_churned
              FROM month_row r
              LEFT JOIN amounts a ON a.id = r.id AND a.idx = r.idx
        ),
        movement AS (
            SELECT f.*, f.mrr - f.mrr_before AS mrr_change,
                   CASE WHEN f.is_first AND f.start_kind = 'renewal' THEN 'renewal'
                        WHEN f.is_first THEN 'new'
                        WHEN f.is_churned THEN 'churn'
                        WHEN f.is_stop OR f.renewals > 0 THEN 'renewal'
                        WHEN f.mrr > f.mrr_before THEN 'expansion'
                        ELSE 'contraction' END AS mrr_kind
              FROM fact f
        )
        SELECT ROW_NUMBER() OVER (ORDER BY f.id, f.idx) AS id,
               f.month, f.id AS subscription_id, f.recipient_id, f.payer_id,
               f.publication_id, f.plan_id, f.company_id, f.route_id, f.origin,
               f.channel, f.delivery_method,
               (f.month + interval '1 month')::date > CURRENT_DATE AS is_projected,
               CASE WHEN f.is_churned THEN f.churn_reason_id END AS churn_reason_id,
               f.is_active_start::int AS active_start,
               f.is_active_end::int AS active_end,
               f.is_active_start::int * f.quantity AS copies_start,
               f.is_active_end::int * f.quantity AS copies_end,
               (f.is_first AND f.start_kind = 'new')::int AS new_count,
               (f.is_first AND f.start_kind = 'renewal')::int AS renewed_in_count,
               (f.is_first AND f.start_kind = 'renewal')::int
                   + f.renewals AS renewed_count,
               (f.is_first AND f.start_kind = 'reactivated')::int
                   AS reactivated_count,
               (f.is_stop AND f.continued)::int AS renewed_out_count,
               f.is_churned::int AS churned_count,
               CASE WHEN f.is_active_start
                    THEN 100.0 * f.is_churned::int END AS churn_rate,
               f.mrr_before AS mrr_start, f.mrr, f.mrr * 12 AS arr,
               CASE WHEN f.mrr_kind = 'new' THEN f.mrr_change ELSE 0 END AS mrr_new,
               CASE WHEN f.mrr_kind = 'renewal' THEN f.mrr_change ELSE 0 END
                   AS mrr_renewal,
               CASE WHEN f.mrr_kind = 'expansion' THEN f.mrr_change ELSE 0 END
                   AS mrr_expansion,
               CASE WHEN f.mrr_kind = 'contraction' THEN f.mrr_change ELSE 0 END
                   AS mrr_contraction,
               CASE WHEN f.mrr_kind = 'churn' THEN f.mrr_change ELSE 0 END
                   AS mrr_churn,
               CASE WHEN f.is_churned THEN f.mrr_before ELSE 0 END AS churned_mrr,
               f.deferred
          FROM movement f
        """,
            subscriptions=SUBSCRIPTIONS_SQL,
            start_idx=start_idx,
            invoice_idx=month_index(SQL("inv.invoice_date")),
            refund_idx=month_index(SQL("ref.invoice_date")),
            month=index_month(SQL("m")),
        )
