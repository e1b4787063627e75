from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

ABC_CLASSES = [("a", "A"), ("b", "B"), ("c", "C")]
ABC_SHARES = (0.80, 0.95)  # A: the first 80 % of the revenue, B: the next 15 %


class ResPartner(models.Model):
    """ABC class, profitability and churn risk on the customer's 360° view."""

    _inherit = "res.partner"

    abc_class = fields.Selection(
        ABC_CLASSES,
        string="ABC Class",
        readonly=True,
        copy=False,
        index=True,
        help="By revenue of the last 12 months (invoices of all kinds minus "
        "credit notes): A are the customers making the first 80 %, B the next "
        "15 %, C the rest. Refreshed nightly.",
    )
    abc_revenue = fields.Monetary(
        string="Revenue (12 months)",
        readonly=True,
        copy=False,
        currency_field="currency_id",
        help="Invoiced minus credited over the last 12 months, as of the last "
        "ABC refresh.",
    )
    publication_cost_to_serve = fields.Monetary(
        string="Cost to Serve (12 months)",
        compute="_compute_publication_profit",
        currency_field="currency_id",
        groups="publication_crm.group_publication_manager",
        help="Print, delivery, replacement copies and complaints of the last 12 "
        "months, as of the last nightly refresh.",
    )
    publication_profit = fields.Monetary(
        string="Profit (12 months)",
        compute="_compute_publication_profit",
        currency_field="currency_id",
        groups="publication_crm.group_publication_manager",
        help="Invoiced minus credit notes minus the cost to serve, over the last "
        "12 months, as of the last nightly refresh.",
    )
    publication_churn_risk = fields.Integer(
        string="Churn Risk",
        compute="_compute_publication_churn_risk",
        help="Highest churn-risk score of the open subscriptions received.",
    )

    def _compute_publication_profit(self):
        since = self.env.company._publication_today() - relativedelta(months=12)
        groups = dict.fromkeys(self.ids, (0.0, 0.0))
        if self.ids:
            rows = self.env["publication.customer.profitability"]._read_group(
                [("partner_id", "in", self.ids), ("month", ">", since)],
                ["partner_id"],
                ["profit:sum", "copy_cost:sum", "replacement_cost:sum"]
                + ["complaint_cost:sum"],
            )
            for partner, profit, copy, replacement, complaint in rows:
                groups[partner.id] = (profit, copy + replacement + complaint)
        for partner in self:
            profit, cost = groups.get(partner.id, (0.0, 0.0))
            partner.publication_profit = profit
            partner.publication_cost_to_serve = cost

    @api.depends("subscription_ids.churn_risk_score")
    def _compute_publication_churn_risk(self):
        for partner in self:
            partner.publication_churn_risk = max(
                partner.subscription_ids.mapped("churn_risk_score") or [0]
            )  # closed subscriptions score 0

    @api.model
    def _refresh_abc_classes(self, today=None):
        """Store the ABC class and 12-month revenue of every customer in one
        statement; customers without revenue get none."""
        today = today or self.env.company._publication_today()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH revenue AS (
                SELECT m.commercial_partner_id AS partner_id,
                       -SUM(l.balance) AS amount
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                 WHERE m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND l.display_type = 'product'
                   AND m.invoice_date > %(since)s AND m.invoice_date <= %(today)s
                 GROUP BY m.commercial_partner_id
                HAVING -SUM(l.balance) > 0
            ),
            ranked AS (
                SELECT partner_id, amount,
                       SUM(amount) OVER (ORDER BY amount DESC, partner_id)
                           - amount AS before,
                       SUM(amount) OVER () AS total
                  FROM revenue
            ),
            classed AS (
                SELECT p.id, r.amount,
                       CASE WHEN r.before < %(a)s * r.total THEN 'a'
                            WHEN r.before < %(b)s * r.total THEN 'b'
                            WHEN r.amount IS NOT NULL THEN 'c' END AS abc
                  FROM res_partner p
                  LEFT JOIN ranked r ON r.partner_id = p.id
                 WHERE r.partner_id IS NOT NULL OR p.abc_class IS NOT NULL
            )
            UPDATE res_partner p
               SET abc_class = c.abc, abc_revenue = COALESCE(c.amount, 0)
              FROM classed c
             WHERE c.id = p.id
            """,
                since=today - relativedelta(months=12),
                today=today,
                a=ABC_SHARES[0],
                b=ABC_SHARES[1],
            )
        )
        self.invalidate_model(["abc_class", "abc_revenue"])
