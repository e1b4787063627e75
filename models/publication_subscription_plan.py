from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..utils.input_bounds import MAX_TERM

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
    conversion_plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Converts To",
        domain="[('publication_id', '=', publication_id), ('is_trial', '=', False)]",
        help="Trial offers: the paid offer proposed to the reader when the trial "
        "ends, accepted with one click on the renewal page.",
    )
    conversion_template_id = fields.Many2one(
        "mail.template",
        string="Conversion E-mail",
        domain="[('model', '=', 'publication.subscription')]",
        default=lambda self: self.env.ref(
            "publication_crm.mail_template_trial_conversion", raise_if_not_found=False
        ),
        help="Trial offers: sent to the payer when the trial ends, with the paid "
        "offer above.",
    )
    description = fields.Text(translate=True)
    price_change_ids = fields.One2many(
        "publication.price.change", "plan_id", string="Price Changes"
    )
    price_notice_count = fields.Integer(
        string="Price Notices Sent", compute="_compute_price_change_counts"
    )
    price_declined_count = fields.Integer(
        string="New Price Declined", compute="_compute_price_change_counts"
    )

    @api.depends("price_change_ids.notice_ids.answer")
    def _compute_price_change_counts(self):
        counts = defaultdict(int)
        for change, answer, count in self.env["publication.price.notice"]._read_group(
            [("change_id.plan_id", "in", self.ids)],
            ["change_id", "answer"],
            ["__count"],
        ):
            counts[change.plan_id.id, answer] += count
        for plan in self:
            plan.price_notice_count = sum(
                v for (plan_id, _a), v in counts.items() if plan_id == plan.id
            )
            plan.price_declined_count = counts.get((plan.id, "declined"), 0)

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
            if plan.term_length > MAX_TERM:
                raise ValidationError(
                    self.env._(
                        "Term of offer %(plan)s must be at most %(max)s months or "
                        "issues, not %(value)s.",
                        plan=plan.name,
                        max=MAX_TERM,
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

    @api.constrains("is_trial", "renewal_type", "conversion_plan_id")
    def _check_trial(self):
        """A trial is free: it never renews, it converts to a paid offer."""
        for plan in self:
            if plan.is_trial and plan.renewal_type == "continuous":
                raise ValidationError(
                    self.env._(
                        "Trial offer %(plan)s cannot renew continuously; set a paid "
                        "offer in Converts To instead.",
                        plan=plan.name,
                    )
                )
            paid = plan.conversion_plan_id
            if paid and (
                not plan.is_trial
                or paid.is_trial
                or paid.publication_id != plan.publication_id
            ):
                raise ValidationError(
                    self.env._(
                        "Converts To of offer %(plan)s must be a paid offer of "
                        "%(publication)s, set on a trial offer, not %(value)s.",
                        plan=plan.name,
                        publication=plan.publication_id.name,
                        value=paid.name,
                    )
                )

    def _get_product(self):
        self.ensure_one()
        return self.product_id or self.publication_id.product_id
