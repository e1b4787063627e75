"""Digital reading added to a print subscription for a surcharge (the offer's
Digital Add-on Surcharge), invoiced on its own line with the offer's Digital
Product; the entitlements then give print and digital."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    digital_addon = fields.Boolean(
        string="Digital Add-on",
        tracking=True,
        help="Print offers with a Digital Add-on Surcharge: the reader also reads "
        "digitally, for the surcharge per copy and period.",
    )
    digital_addon_price = fields.Monetary(
        string="Add-on Surcharge per Copy",
        compute="_compute_digital_addon_price",
        precompute=True,
        store=True,
        help="The offer's surcharge when the add-on was taken, untaxed: its later "
        "changes do not reach a subscription unannounced.",
    )

    @api.depends("digital_addon", "plan_id", "origin")
    def _compute_digital_addon_price(self):
        for subscription in self:
            subscription.digital_addon_price = (
                subscription.plan_id.digital_addon_price
                if subscription.digital_addon and not subscription._is_free()
                else 0.0
            )

    @api.constrains("digital_addon", "plan_id")
    def _check_digital_addon(self):
        """Taken with an offer that has one. A save offer accepted later for
        an offer without one ends it at that renewal (_term_addon_price)."""
        for subscription in self.filtered(
            lambda s: s.digital_addon and s.state == "draft"
        ):
            plan = subscription.plan_id
            if plan.channel != "print" or not plan.digital_addon_price:
                raise ValidationError(
                    self.env._(
                        "Digital Add-on of subscription %(name)s: offer %(plan)s "
                        "has no digital add-on (a print offer with a Digital "
                        "Add-on Surcharge).",
                        name=subscription.name,
                        plan=plan.name,
                    )
                )

    def _term_plan(self, period):
        """The offer period is invoiced with: for a renewal, the save offer
        accepted for it (the subscription moves to it once renewed)."""
        self.ensure_one()
        if period.date_start != self.date_start:
            return self.next_plan_id or self.plan_id
        return self.plan_id

    def _term_addon_price(self, plan):
        """The add-on's surcharge per copy of a term with plan: none when plan
        has no add-on (a save offer without one ends it)."""
        self.ensure_one()
        return self.digital_addon_price if plan.digital_addon_price else 0.0
