from odoo import fields, models, tools
from odoo.tools import SQL


class PublicationCampaignReport(models.Model):
    """Results per UTM campaign: readers reached by e-mail and by post, and
    their responses (new subscriptions, renewals) attributed to the campaign,
    with their revenue (the amount of the new or renewed period)."""

    _name = "publication.campaign.report"
    _description = "Campaign Results"
    _auto = False
    _rec_name = "campaign_id"
    _order = "campaign_id desc"
    _depends = {
        "mailing.trace": ["campaign_id", "trace_status", "model"],
        "publication.postal.mailing.line": ["campaign_id", "date_sent"],
        "publication.subscription": [
            "campaign_id",
            "state",
            "origin",
            "amount",
            "recipient_id",
            "publication_id",
            "date_start",
            "date_end",
        ],
        "publication.renewal.event": ["campaign_id", "kind", "amount"],
        "utm.campaign": ["publication_cost"],
    }

    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    email_count = fields.Integer(string="Reached by E-mail", readonly=True)
    postal_count = fields.Integer(string="Reached by Post", readonly=True)
    reached_count = fields.Integer(string="Reached", readonly=True)
    new_count = fields.Integer(string="New Subscriptions", readonly=True)
    winback_count = fields.Integer(
        string="Win-backs",
        readonly=True,
        help="New subscriptions of readers whose earlier subscription to the "
        "publication had expired or been cancelled.",
    )
    renewal_count = fields.Integer(string="Renewals", readonly=True)
    response_count = fields.Integer(string="Responses", readonly=True)
    revenue = fields.Float(readonly=True, digits=(16, 2))
    cost = fields.Float(readonly=True, digits=(16, 2))
    response_rate = fields.Float(
        string="Response Rate (%)", readonly=True, digits=(16, 2), aggregator=None
    )
    cost_per_response = fields.Float(readonly=True, digits=(16, 2), aggregator=None)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                WITH email AS (
                    SELECT campaign_id, COUNT(*) AS n FROM mailing_trace
                     WHERE campaign_id IS NOT NULL
                       AND trace_status NOT IN ('cancel', 'error', 'bounce')
                       AND model IN ('publication.subscription', 'res.partner')
                  GROUP BY campaign_id
                ), post AS (
                    SELECT campaign_id, COUNT(*) AS n
                      FROM publication_postal_mailing_line
                     WHERE campaign_id IS NOT NULL AND date_sent IS NOT NULL
                  GROUP BY campaign_id
                ), new AS (
                    SELECT s.campaign_id, COUNT(*) AS n, SUM(s.amount) AS revenue,
                           COUNT(*) FILTER (WHERE EXISTS (
                               SELECT 1 FROM publication_subscription o
                                WHERE o.recipient_id = s.recipient_id
                                  AND o.publication_id = s.publication_id
                                  AND o.state IN ('expired', 'cancelled')
                                  AND o.date_end < s.date_start
                           )) AS winbacks
                      FROM publication_subscription s
                     WHERE s.campaign_id IS NOT NULL AND s.state != 'draft'
                       AND s.origin != 'renewal'
                  GROUP BY s.campaign_id
                ), renewal AS (
                    SELECT campaign_id, COUNT(*) AS n, SUM(amount) AS revenue
                      FROM publication_renewal_event
                     WHERE campaign_id IS NOT NULL AND kind = 'renewal'
                  GROUP BY campaign_id
                ), figures AS (
                    SELECT c.id AS campaign_id,
                           COALESCE(e.n, 0) AS email_count,
                           COALESCE(p.n, 0) AS postal_count,
                           COALESCE(n.n, 0) AS new_count,
                           COALESCE(n.winbacks, 0) AS winback_count,
                           COALESCE(r.n, 0) AS renewal_count,
                           COALESCE(n.revenue, 0) + COALESCE(r.revenue, 0) AS revenue,
                           COALESCE(c.publication_cost, 0) AS cost
                      FROM utm_campaign c
                 LEFT JOIN email e ON e.campaign_id = c.id
                 LEFT JOIN post p ON p.campaign_id = c.id
                 LEFT JOIN new n ON n.campaign_id = c.id
                 LEFT JOIN renewal r ON r.campaign_id = c.id
                     WHERE e.n IS NOT NULL OR p.n IS NOT NULL OR n.n IS NOT NULL
                        OR r.n IS NOT NULL
                )
                SELECT campaign_id AS id, campaign_id, email_count, postal_count,
                       email_count + postal_count AS reached_count, new_count,
                       winback_count, renewal_count,
                       new_count + renewal_count AS response_count,
                       revenue, cost,
                       CASE WHEN email_count + postal_count > 0
                            THEN 100.0 * (new_count + renewal_count)
                                 / (email_count + postal_count) END AS response_rate,
                       CASE WHEN new_count + renewal_count > 0
                            THEN cost / (new_count + renewal_count) END
                            AS cost_per_response
                  FROM figures
            )""",
                SQL.identifier(self._table),
            )
        )
