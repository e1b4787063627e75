from odoo import api, fields, models
from odoo.tools import SQL

from ..models.publication_issue.publication_issue import DELIVERY_METHODS
from ..models.res_partner_analytics import ABC_CLASSES
from ..utils.materialized_view import (
    create_materialized_view,
    refresh_materialized_view,
)


class PublicationCustomerProfitability(models.Model):
    """Revenue and cost to serve by customer (the commercial partner invoiced
    or paying), month, publication and route: posted invoice and credit note
    lines of all kinds; copies of the frozen distribution lists at the
    publication's print cost and the route's (else the publication's)
    delivery cost, replacement copies apart; complaint tickets at the
    publication's cost per complaint; by the customer's ABC class as of the
    last refresh. A materialized view refreshed nightly (and by
    ``_refresh``)."""

    _name = "publication.customer.profitability"
    _description = "Customer Profitability"
    _auto = False
    _order = "month desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    route_id = fields.Many2one("publication.route", readonly=True)
    delivery_method = fields.Selection(DELIVERY_METHODS, readonly=True)
    abc_class = fields.Selection(
        ABC_CLASSES, string="ABC Class", readonly=True, help="The customer's segment."
    )
    revenue = fields.Monetary(string="Invoiced", readonly=True)
    credited = fields.Monetary(string="Credit Notes", readonly=True)
    copies = fields.Integer(string="Copies Delivered", readonly=True)
    copy_cost = fields.Monetary(string="Print and Delivery Cost", readonly=True)
    replacement_cost = fields.Monetary(string="Replacement Copies Cost", readonly=True)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    complaint_cost = fields.Monetary(readonly=True)
    profit = fields.Monetary(
        readonly=True, help="Invoiced minus credit notes minus the cost to serve."
    )

    def init(self):
        create_materialized_view(
            self.env.cr,
            self._table,
            SQL(
                """
            (
                WITH item AS (
                    SELECT m.commercial_partner_id AS partner_id, m.company_id,
                           date_trunc('month', m.invoice_date)::date AS month,
                           per.publication_id, NULL::int AS route_id,
                           NULL::varchar AS delivery_method,
                           CASE WHEN m.move_type = 'out_invoice'
                                THEN -l.balance ELSE 0 END AS revenue,
                           CASE WHEN m.move_type = 'out_refund'
                                THEN l.balance ELSE 0 END AS credited,
                           0 AS copies, 0 AS copy_cost, 0 AS replacement_cost,
                           0 AS complaint_count, 0 AS complaint_cost
                      FROM account_move_line l
                      JOIN account_move m ON m.id = l.move_id
                      LEFT JOIN publication_subscription_period per
                        ON per.id = l.publication_period_id
                     WHERE m.state = 'posted'
                       AND m.move_type IN ('out_invoice', 'out_refund')
                       AND l.display_type = 'product'
                    UNION ALL
                    SELECT payer.commercial_partner_id, i.company_id,
                           date_trunc('month', i.date)::date,
                           i.publication_id, d.route_id, d.delivery_method,
                           0, 0,
                           d.copies,
                           CASE WHEN d.kind = 'replacement' THEN 0
                                ELSE d.copies * c.cost END,
                           CASE WHEN d.kind = 'replacement' THEN d.copies * c.cost
                                ELSE 0 END,
                           0, 0
                      FROM publication_distribution_line d
                      JOIN publication_issue i ON i.id = d.issue_id
                      JOIN publication_publication pub ON pub.id = i.publication_id
                      JOIN publication_subscription s ON s.id = d.subscription_id
                      JOIN res_partner payer ON payer.id = s.payer_id
                      LEFT JOIN publication_route r ON r.id = d.route_id
                     CROSS JOIN LATERAL (
                        SELECT COALESCE(pub.print_cost, 0)
                             + CASE WHEN d.delivery_method = 'digital' THEN 0
                                    ELSE COALESCE(NULLIF(r.delivery_cost, 0),
                                                  pub.delivery_cost, 0) END
                     ) c(cost)
                     WHERE d.kind IN ('subscription', 'replacement')
                    UNION ALL
                    SELECT p.commercial_partner_id, t.company_id,
                           date_trunc('month', t.create_date)::date,
                           t.publication_id, t.route_id, NULL, 0, 0, 0, 0, 0,
                           1, COALESCE(pub.complaint_cost, 0)
                      FROM helpdesk_ticket t
                      JOIN res_partner p ON p.id = t.partner_id
                      JOIN publication_publication pub ON pub.id = t.publication_id
                )
                SELECT ROW_NUMBER() OVER () AS id, item.partner_id, item.company_id,
                       item.month, item.publication_id, item.route_id,
                       item.delivery_method, MIN(customer.abc_class) AS abc_class,
                       SUM(item.revenue) AS revenue, SUM(item.credited) AS credited,
                       SUM(item.copies) AS copies, SUM(item.copy_cost) AS copy_cost,
                       SUM(item.replacement_cost) AS replacement_cost,
                       SUM(item.complaint_count) AS complaint_count,
                       SUM(item.complaint_cost) AS complaint_cost,
                       SUM(item.revenue - item.credited - item.copy_cost
                           - item.replacement_cost - item.complaint_cost) AS profit
                  FROM item
                  JOIN res_partner customer ON customer.id = item.partner_id
                 GROUP BY item.partner_id, item.company_id, item.month,
                          item.publication_id, item.route_id, item.delivery_method
            )
            """,
            ),
            [["partner_id", "month"]],
        )

    @api.model
    def _refresh(self):
        refresh_materialized_view(self)
