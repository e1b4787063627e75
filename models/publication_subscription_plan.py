from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from ..utils.input_bounds import MAX_TERM

RENEWAL_TYPES = [("fixed", "Fixed Term"), ("continuous", "Continuous")]
PERCENT = 100.0


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
    bundle_share_type = fields.Selection(
        [("percent", "Percentage"), ("amount", "Amount")],
        string="Parts Shared By",
        required=True,
        default="percent",
        help="Print + digital offers: the print and digital shares of the price "
        "are percentages of it, or amounts that add up to it.",
    )
    print_product_id = fields.Many2one(
        "product.product",
        domain=[("type", "=", "service")],
        help="Print + digital offers invoiced one line per part: the product "
        "(and so the taxes) of the print part; empty means the offer's product.",
    )
    print_share = fields.Float(
        default=50.0,
        help="Print + digital offers: the print part's share of the price, a "
        "percentage or an amount (Parts Shared By).",
    )
    digital_product_id = fields.Many2one(
        "product.product",
        domain=[("type", "=", "service")],
        help="The product (and so the taxes) of the digital part of a print + "
        "digital offer, and of the digital add-on of a print offer.",
    )
    digital_share = fields.Float(
        compute="_compute_digital_share",
        store=True,
        readonly=False,
        precompute=True,
        help="Print + digital offers: the digital part's share of the price; "
        "by default the rest of the price after the print share.",
    )
    bundle_invoicing = fields.Selection(
        [("one", "One Line"), ("parts", "One Line per Part")],
        string="Invoice As",
        required=True,
        default="one",
        help="Print + digital offers: one invoice line with the offer's product, "
        "or a print line and a digital line, each with its product and taxes.",
    )
    digital_addon_price = fields.Monetary(
        string="Digital Add-on Surcharge",
        help="Print offers: the price per copy and period of digital reading "
        "added to a subscription (its Digital Add-on), untaxed, invoiced with "
        "the Digital Product; 0 means the offer has no add-on.",
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

    @api.depends("bundle_share_type", "print_share", "price")
    def _compute_digital_share(self):
        """The rest of the price (or of 100 %) after the print share."""
        for plan in self:
            whole = PERCENT if plan.bundle_share_type == "percent" else plan.price
            plan.digital_share = whole - plan.print_share

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

    @api.constrains(
        "channel",
        "bundle_share_type",
        "print_share",
        "digital_share",
        "price",
        "bundle_invoicing",
        "digital_product_id",
        "digital_addon_price",
    )
    def _check_bundle_parts(self):
        """The parts of a print + digital offer are not negative and make up
        the price; what is invoiced with the Digital Product has one."""
        for plan in self:
            if plan.digital_addon_price < 0:
                plan._raise_bad_part("digital_addon_price", plan.digital_addon_price)
            if plan.digital_addon_price and plan.channel != "print":
                raise ValidationError(
                    self.env._(
                        "Offer %(plan)s: a Digital Add-on Surcharge (%(value)s) is "
                        "for print offers only.",
                        plan=plan.name,
                        value=plan.digital_addon_price,
                    )
                )
            needs_product = plan.digital_addon_price or (
                plan.channel == "bundle" and plan.bundle_invoicing == "parts"
            )
            if needs_product and not plan.digital_product_id:
                raise ValidationError(
                    self.env._(
                        "Offer %(plan)s: set its Digital Product, invoiced for its "
                        "digital part or add-on.",
                        plan=plan.name,
                    )
                )
            if plan.channel != "bundle":
                continue
            for name in ("print_share", "digital_share"):
                if plan[name] < 0:
                    plan._raise_bad_part(name, plan[name])
            total = plan.print_share + plan.digital_share
            if plan.bundle_share_type == "percent":
                wrong = float_compare(total, PERCENT, precision_digits=4)
                whole = PERCENT
            else:
                wrong = plan.currency_id.compare_amounts(total, plan.price)
                whole = plan.price
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Offer %(plan)s: Print Share (%(print)s) and Digital Share "
                        "(%(digital)s) must add up to %(whole)s, not %(value)s.",
                        plan=plan.name,
                        print=plan.print_share,
                        digital=plan.digital_share,
                        whole=whole,
                        value=total,
                    )
                )

    def _raise_bad_part(self, field, value):
        raise ValidationError(
            self.env._(
                "%(field)s of offer %(plan)s must not be negative, not %(value)s.",
                field=self._fields[field]._description_string(self.env),
                plan=self.name,
                value=value,
            )
        )

    def _invoice_parts(self, price):
        """[(product, price per copy, part)] of an invoice of this offer at
        price per copy: one line with the offer's product, or for a print +
        digital offer invoiced one line per part, a print line and a digital
        line with their share of price (part "print" or "digital"; the digital
        one takes the rounding, so that they add up to price)."""
        self.ensure_one()
        product = self._get_product()
        if self.channel != "bundle" or self.bundle_invoicing != "parts":
            return [(product, price, False)]
        if self.bundle_share_type == "percent":
            fraction = self.print_share / PERCENT
        else:
            fraction = self.print_share / self.price if self.price else 1.0
        print_price = self.currency_id.round(price * fraction)
        return [
            (self.print_product_id or product, print_price, "print"),
            (self.digital_product_id, price - print_price, "digital"),
        ]

    def _get_product(self):
        self.ensure_one()
        return self.product_id or self.publication_id.product_id
