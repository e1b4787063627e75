import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .materialized_view import RESUBSCRIBED_SQL
from .publication_automation import ANALYTICS_VIEWS
from .publication_subscription import OPEN_STATES


class PublicationSubscription(models.Model):
    """Churn-risk score: a points model with the weights of the publication."""

    _inherit = "publication.subscription"

    churn_risk_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Points of the publication's churn-risk weights: complaints (and "
        "their categories), pauses and payment reminders of the last 12 months, "
        "renewal reminders not answered, first year, fixed term. Refreshed "
        "nightly.",
    )
    churn_risk_high = fields.Boolean(
        string="High Churn Risk",
        readonly=True,
        copy=False,
        index=True,
        help="Churn-risk score at least the publication's High Risk From.",
    )

    @api.model
    def _clear_closed_churn_risk(self):
        """Closed subscriptions are at no risk any more (one statement)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            UPDATE publication_subscription
               SET churn_risk_score = 0, churn_risk_high = FALSE
             WHERE state NOT IN %s AND (churn_risk_score != 0 OR churn_risk_high)
            """,
                OPEN_STATES,
            )
        )
        self.invalidate_model(["churn_risk_score", "churn_risk_high"])

    @api.model
    def _churn_risk_query(self, day, ids=None):
        """SQL (subscription_id, score) of the subscriptions delivered on day
        (of ids if given), from the signals known on day."""
        year_before = day - timedelta(days=365)
        return SQL(
            """
            SELECT s.id AS subscription_id,
                   (COALESCE(tk.points, 0) + COALESCE(pa.n, 0) * pub.risk_pause_points
                    + COALESCE(ev.dunning, 0) * pub.risk_dunning_points
                    + COALESCE(ev.reminder, 0) * pub.risk_reminder_points
                    + CASE WHEN rd.first_start > %(year_before)s
                           THEN pub.risk_tenure_points ELSE 0 END
                    + CASE WHEN s.renewal_type = 'fixed'
                           THEN pub.risk_fixed_points ELSE 0 END) AS score,
                   pub.risk_threshold
              FROM publication_subscription s
              JOIN publication_publication pub ON pub.id = s.publication_id
              LEFT JOIN LATERAL (
                SELECT SUM(pub.risk_complaint_points
                           + COALESCE(c.churn_risk_points, 0)) AS points
                  FROM helpdesk_ticket t
                  LEFT JOIN helpdesk_ticket_category c ON c.id = t.category_id
                 WHERE t.subscription_id = s.id
                   AND t.create_date::date > %(year_before)s
                   AND t.create_date::date <= %(day)s
              ) tk ON TRUE
              LEFT JOIN LATERAL (
                SELECT COUNT(*) AS n FROM publication_subscription_pause p
                 WHERE p.subscription_id = s.id
                   AND p.date_from > %(year_before)s AND p.date_from <= %(day)s
              ) pa ON TRUE
              LEFT JOIN LATERAL (
                SELECT COUNT(*) FILTER (WHERE e.kind = 'dunning') AS dunning,
                       COUNT(*) FILTER (WHERE e.kind = 'reminder'
                                          AND e.date_term_end >= %(day)s) AS reminder
                  FROM publication_renewal_event e
                 WHERE e.subscription_id = s.id
                   AND e.kind IN ('dunning', 'reminder')
                   AND e.date > %(year_before)s AND e.date <= %(day)s
              ) ev ON TRUE
              LEFT JOIN LATERAL (
                SELECT MIN(o.date_start) AS first_start
                  FROM publication_subscription o
                 WHERE o.recipient_id = s.recipient_id
                   AND o.publication_id = s.publication_id
                   AND o.state != 'draft'
              ) rd ON TRUE
             WHERE s.state != 'draft'
               AND s.date_start <= %(day)s
               AND LEAST(s.date_end, COALESCE(s.date_cancel, s.date_end)) >= %(day)s
               AND (%(all)s OR s.id = ANY(%(ids)s))
            """,
            day=day,
            year_before=year_before,
            all=ids is None,
            ids=list(ids or []),
        )

    def _refresh_churn_risk(self):
        """Store the churn-risk score of these open subscriptions (one query)."""
        open_ones = self.filtered(lambda s: s.state in OPEN_STATES)
        if not open_ones:
            return
        today = self.env.company._publication_today()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            UPDATE publication_subscription s
               SET churn_risk_score = r.score,
                   churn_risk_high = r.score >= r.risk_threshold
              FROM (%s) r
             WHERE r.subscription_id = s.id
            """,
                self._churn_risk_query(today, open_ones.ids),
            )
        )
        self.invalidate_recordset(["churn_risk_score", "churn_risk_high"])

    def _churn_risk_auc(self, day, horizon_days=365):
        """Back-test of the score: for these subscriptions (all when empty)
        delivered on day, the
        probability that one of a reader who churned within horizon_days scores
        higher than one of a reader who stayed (ties count half). Returns
        (auc, churned, stayed); auc is None without both kinds."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH scored AS (
                SELECT r.score,
                       (s.state IN ('expired', 'cancelled')
                        AND LEAST(s.date_end, COALESCE(s.date_cancel, s.date_end))
                            < %(until)s
                        AND NOT %(resubscribed)s) AS churned
                  FROM (%(scores)s) r
                  JOIN publication_subscription s ON s.id = r.subscription_id
                  JOIN publication_publication pub ON pub.id = s.publication_id
            ),
            ranked AS (
                SELECT churned, RANK() OVER (ORDER BY score) AS low,
                       COUNT(*) OVER (PARTITION BY score) AS ties
                  FROM scored
            )
            SELECT COUNT(*) FILTER (WHERE churned),
                   COUNT(*) FILTER (WHERE NOT churned),
                   SUM(low + (ties - 1) / 2.0) FILTER (WHERE churned)
              FROM ranked
            """,
                until=day + timedelta(days=horizon_days),
                resubscribed=RESUBSCRIBED_SQL,
                scores=self._churn_risk_query(day, self.ids or None),
            )
        )
        churned, stayed, rank_sum = self.env.cr.fetchone()
        if not churned or not stayed:
            return None, churned, stayed
        auc = (float(rank_sum) - churned * (churned + 1) / 2) / (churned * stayed)
        return auc, churned, stayed

    # ------------------------------------------------------------------
    # Demo history (called from demo/publication_analytics_demo.xml)
    # ------------------------------------------------------------------
    @api.model
    def _demo_create_history(self, plan_ids, readers=30, seed=13):
        """Two years of history for new demo readers of the offers plan_ids
        (of publications with payment grace): renewals by a next period or a
        new subscription, win-backs after a gap, cancellations and expiries;
        then the analytics are refreshed."""
        rng = random.Random(seed)
        plans = self.env["publication.subscription.plan"].browse(plan_ids)
        reasons = self.env["publication.churn.reason"].search(
            [("id", "!=", self.env.ref("publication_crm.churn_reason_not_renewed").id)]
        )
        today = self.env.company._publication_today()
        first = today.replace(day=1) - relativedelta(months=24)
        partners = self.env["res.partner"].create(
            [
                {"name": f"Demo Reader {n + 1}", "zip": str(10000 + 25 * n)}
                for n in range(readers)
            ]
        )
        for partner in partners:
            start = first + relativedelta(
                months=rng.randrange(20), days=rng.choice((0, 14))
            )
            self._demo_reader_history(partner, rng.choice(plans), start, rng, reasons)
        self.env["res.partner"]._refresh_abc_classes()
        for model in ANALYTICS_VIEWS:
            self.env[model]._refresh()
        self._clear_closed_churn_risk()
        self.search([("state", "in", OPEN_STATES)])._refresh_churn_risk()

    def _demo_reader_history(self, partner, plan, start, rng, reasons):
        today = self.env.company._publication_today()
        origin = "new"
        while start <= today:
            subscription = self.create(
                {
                    "recipient_id": partner.id,
                    "publication_id": plan.publication_id.id,
                    "plan_id": plan.id,
                    "date_start": start,
                    "origin": origin,
                }
            )
            # each term invoiced in advance, on its first day
            subscription.with_context(default_invoice_date=start).action_confirm()
            while (
                subscription.renewal_type == "continuous"
                and subscription.date_end < today
                and rng.random() < 0.8
            ):
                subscription.with_context(
                    default_invoice_date=subscription.date_end + timedelta(days=1)
                )._renew()
            if subscription.date_end >= today:
                return
            roll = rng.random()
            if roll < 0.2:
                day = subscription.date_end - timedelta(days=rng.randrange(10, 90))
                day = max(day, subscription.date_start)
                subscription.with_context(default_invoice_date=day)._cancel(
                    day, rng.choice(reasons)
                )
            else:
                subscription._expire()
            stop = subscription.date_cancel or subscription.date_end
            origin = "renewal"
            if roll < 0.2 or rng.random() < 0.3:
                return
            if rng.random() < 0.25:  # back after a gap: a win-back
                start = stop + relativedelta(months=rng.randint(2, 6))
            else:
                start = stop + timedelta(days=1)
