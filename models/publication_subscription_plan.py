from odoo import api, fields, models
from odoo.exceptions import ValidationError

RENEWAL_TYPES = [("fixed", "Fixed Term"), ("continuous", "Continuous")]


class PublicationSubscriptionPlan(models.Model):
    _name = "publication.subscription.plan"
    _description = "Subscription Offer"
    _order = "publication_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    publication_id = fields.Many2one(
        "publication.publication", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="publication_id.company_id", store=True)
    currency_id = fields.Many2one(related="publication_id.currency_id")
    term_unit = fields.Selection(
        [("months", "Months"), ("issues", "Issues")], required=True, default="months"
    )
    term_length = fields.Integer(
        required=True, default=12, help="Length of one period in months or issues."
    )
    price = fields.Monetary(
        required=True, default=0.0, help="Price of one copy for one period, untaxed."
    )
    product_id = fields.Many2one(
        "product.product",
        domain=[("type", "=", "service")],
        help="Invoiced product; empty means the publication's product.",
    )
    renewal_type = fields.Selection(RENEWAL_TYPES, required=True, default="fixed")
    channel = fields.Selection(
        [("print", "Print"), ("digital", "Digital"), ("bundle", "Print + Digital")],
        required=True,
        default="print",
    )
    is_trial = fields.Boolean(
        string="Free Trial", help="Trial subscriptions are delivered without invoice."
    )
    proration = fields.Selection(
        [("days", "By Days"), ("issues", "By Undelivered Issues")],
        string="Cancellation Credit",
        required=True,
        default="days",
        help="How the credit note for a cancellation in the middle of a period "
        "is computed.",
    )
    offer_continuous = fields.Boolean(
        string="Propose Continuous Renewal",
        help="Before a fixed-term subscription of this offer ends, e-mail the payer "
        "an offer to renew it automatically from then on.",
    )
    description = fields.Text(translate=True)

    @api.constrains("term_length", "price", "is_trial")
    def _check_term_and_price(self):
        for plan in self:
            if plan.term_length <= 0:
                raise ValidationError(
                    self.env._(
                        "Term of offer %(plan)s must be positive, not %(value)s.",
                        plan=plan.name,
                        value=plan.term_length,
                    )
                )
            if plan.price < 0:
                raise ValidationError(
                    self.env._(
                        "Price of offer %(plan)s must not be negative, not %(value)s.",
                        plan=plan.name,
                        value=plan.price,
                    )
                )

    def _get_product(self):
        self.ensure_one()
        return self.product_id or self.publication_id.product_id
