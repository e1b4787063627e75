from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

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
