from odoo import fields, models
from odoo.tools import SQL

from .publication_issue.publication_issue import DELIVERY_METHODS

# Figures of a moment (stocks): over several months their total is the
# figure at the start of the first month or at the end of the last one.
STOCKS = {
    "active_start": "MIN",
    "copies_start": "MIN",
    "mrr_start": "MIN",
    "active_end": "MAX",
    "copies_end": "MAX",
    "mrr": "MAX",
    "arr": "MAX",
    "deferred": "MAX",
}


class PublicationAnalyticsFacts(models.AbstractModel):
    """The dimensions and measures of the monthly analytics, shared by the
    facts per subscription and their sums.

    In each month, Active at End = Active at Start + New + Reactivated +
    Renewed In - Renewed Out - Churned, MRR = MRR at Start + New + Renewal +
    Expansion + Contraction + Churn (MRR movements), and a month's end is the
    next month's start. Movements (flows) are summed over months; the stocks
    (active, copies, MRR, ARR, deferred revenue) are totalled as they are at
    the start of the first month or the end of the last one."""

    _name = "publication.analytics.facts"
    _description = "Subscriber Analytics Figures"
    _inherit = ["publication.ratio.report"]

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
    is_projected = fields.Boolean(
        string="Projected",
        readonly=True,
        help="A month not over at the last refresh (the current month or a later "
        "one): its figures are projected from the subscriptions' planned ends, "
        "they are not facts yet.",
    )
    churn_reason_id = fields.Many2one("publication.churn.reason", readonly=True)
    active_start = fields.Integer(string="Active at Start", readonly=True)
    active_end = fields.Integer(string="Active at End", readonly=True)
    copies_start = fields.Integer(string="Copies at Start", readonly=True)
    copies_end = fields.Integer(string="Copies at End", readonly=True)
    new_count = fields.Integer(string="New", readonly=True)
    renewed_count = fields.Integer(
        string="Renewed",
        readonly=True,
        help="Terms renewed in the month: a next period of a subscription or a "
        "new subscription renewing an earlier one.",
    )
    renewed_in_count = fields.Integer(
        string="Renewed In",
        readonly=True,
        help="Subscriptions starting in the month as the renewal of an earlier "
        "subscription of their reader (counted in, as the earlier one is "
        "counted out under Renewed Out).",
    )
    renewed_out_count = fields.Integer(
        string="Renewed Out",
        readonly=True,
        help="Subscriptions that stopped in the month and were renewed by a later "
        "subscription of their reader: they leave without churning.",
    )
    reactivated_count = fields.Integer(string="Reactivated", readonly=True)
    churned_count = fields.Integer(
        string="Churned",
        readonly=True,
        help="Subscriptions that stopped in the month (after their last day of "
        "delivery) without a renewal.",
    )
    mrr_start = fields.Monetary(
        string="MRR at Start",
        readonly=True,
        help="MRR of the month before: MRR at Start plus the MRR movements is "
        "the month's MRR.",
    )
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

    def _read_group_select(self, aggregate_spec, query):
        """A stock summed over several months is the sum of its first month
        (figures at the start) or of its last month (figures at the end); a
        rate is the ratio of its figures' totals."""
        name, __, function = aggregate_spec.partition(":")
        edge = STOCKS.get(name)
        if not edge or function not in ("sum", "sum_currency"):
            return super()._read_group_select(aggregate_spec, query)
        value = self._field_to_sql(self._table, name, query)
        if function == "sum_currency":
            super()._read_group_select(aggregate_spec, query)  # joins the rates
            currency = self._fields[name].get_currency_field(self)
            rates = query.make_alias(self._table, f"{currency}__rates")
            value = SQL("%s / COALESCE(%s, 1.0)", value, SQL.identifier(rates, "rate"))
        month = self._field_to_sql(self._table, "month", query)
        return SQL(
            "(SELECT COALESCE(SUM(v), 0) FROM unnest(ARRAY_AGG(%s), ARRAY_AGG(%s))"
            " AS t(m, v) WHERE m = %s(%s))",
            month,
            value,
            SQL(edge),
            month,
        )
