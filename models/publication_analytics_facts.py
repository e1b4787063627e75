from odoo import fields, models

from .publication_issue import DELIVERY_METHODS


class PublicationAnalyticsFacts(models.AbstractModel):
    """The dimensions and measures of the monthly analytics, shared by the
    facts per subscription and their sums."""

    _name = "publication.analytics.facts"
    _description = "Subscriber Analytics Figures"

    month = fields.Date(readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    plan_id = fields.Many2one(
        "publication.subscription.plan", string="Offer", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    route_id = fields.Many2one("publication.route", readonly=True)
    origin = fields.Selection(
        lambda self: self.env["publication.subscription"]._fields["origin"].selection,
        readonly=True,
    )
    channel = fields.Selection(
        lambda self: (
            self.env["publication.subscription.plan"]._fields["channel"].selection
        ),
        readonly=True,
    )
    delivery_method = fields.Selection(DELIVERY_METHODS, readonly=True)
    churn_reason_id = fields.Many2one("publication.churn.reason", readonly=True)
    active_start = fields.Integer(string="Active at Start", readonly=True)
    active_end = fields.Integer(string="Active at End", readonly=True)
    copies_start = fields.Integer(string="Copies at Start", readonly=True)
    copies_end = fields.Integer(string="Copies at End", readonly=True)
    new_count = fields.Integer(string="New", readonly=True)
    renewed_count = fields.Integer(string="Renewed", readonly=True)
    reactivated_count = fields.Integer(string="Reactivated", readonly=True)
    churned_count = fields.Integer(string="Churned", readonly=True)
    mrr = fields.Monetary(string="MRR", readonly=True)
    arr = fields.Monetary(string="ARR", readonly=True)
    mrr_new = fields.Monetary(string="MRR New", readonly=True)
    mrr_renewal = fields.Monetary(string="MRR Renewal", readonly=True)
    mrr_expansion = fields.Monetary(string="MRR Expansion", readonly=True)
    mrr_contraction = fields.Monetary(string="MRR Contraction", readonly=True)
    mrr_churn = fields.Monetary(string="MRR Churn", readonly=True)
    churned_mrr = fields.Monetary(
        string="Churned MRR (start)",
        readonly=True,
        help="MRR at the month's start of the subscriptions that churned.",
    )
    deferred = fields.Monetary(
        string="Deferred Revenue",
        readonly=True,
        help="Invoiced by the month's end, for months after it.",
    )
