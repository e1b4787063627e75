from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.publication_call import CALL_RESULTS, REACHED_RESULTS

RATIOS = {
    "reach_rate": ("reached_count", "call_count"),
    "conversion_rate": ("sale_count", "reached_count"),
}


class PublicationCallReport(models.Model):
    """One row per call made (a result recorded): whether the reader was
    reached, whether a subscription was sold and its revenue (invoiced less
    credited). Summed per seller, call list or campaign; the rates of a
    group are ratios of its sums, never averages of rates."""

    _name = "publication.call.report"
    _inherit = ["publication.ratio.report"]
    _ratio_measures = RATIOS
    _description = "Call Results"
    _auto = False
    _rec_name = "call_id"
    _order = "date desc"
    _depends = {
        "publication.call": [
            "call_list_id",
            "company_id",
            "campaign_id",
            "partner_id",
            "user_id",
            "result",
            "date",
            "subscription_id",
        ],
        "publication.subscription": ["revenue", "currency_id"],
    }

    call_id = fields.Many2one("publication.call", readonly=True)
    call_list_id = fields.Many2one("publication.call.list", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Seller", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Reader", readonly=True)
    result = fields.Selection(CALL_RESULTS, readonly=True)
    date = fields.Datetime(string="Called On", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    reached_count = fields.Integer(string="Reached", readonly=True)
    sale_count = fields.Integer(string="Sales", readonly=True)
    revenue = fields.Monetary(readonly=True)
    reach_rate = fields.Float(
        string="Reach Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Readers reached per 100 calls made.",
    )
    conversion_rate = fields.Float(
        string="Conversion (%)",
        readonly=True,
        aggregator="avg",
        help="Sales per 100 readers reached.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %(table)s AS (
                SELECT c.id, c.id AS call_id, c.call_list_id, c.campaign_id,
                       c.company_id, c.user_id, c.partner_id, c.result, c.date,
                       1 AS call_count,
                       (c.result IN %(reached)s)::int AS reached_count,
                       (c.result = 'sold')::int AS sale_count,
                       COALESCE(s.revenue, 0) AS revenue,
                       CASE WHEN c.result IN %(reached)s THEN 100.0 ELSE 0.0 END
                           AS reach_rate,
                       CASE WHEN c.result IN %(reached)s THEN
                           CASE WHEN c.result = 'sold' THEN 100.0 ELSE 0.0 END
                       END AS conversion_rate
                  FROM publication_call c
             LEFT JOIN publication_subscription s ON s.id = c.subscription_id
                 WHERE c.result != 'todo'
            )""",
                table=SQL.identifier(self._table),
                reached=REACHED_RESULTS,
            )
        )
