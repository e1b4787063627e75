from odoo import api, fields, models
from odoo.exceptions import UserError

OUTCOMES = [
    ("cancelled", "Cancelled"),
    ("pause", "Saved by a holiday pause instead"),
    ("plan", "Saved by the publication's cheaper or digital offer"),
    ("discount", "Saved by the publication's discount"),
]


class PublicationSubscriptionCancelWizard(models.TransientModel):
    _name = "publication.subscription.cancel.wizard"
    _description = "Cancel Subscriptions"

    subscription_ids = fields.Many2many(
        "publication.subscription",
        relation="publication_cancel_wizard_subscription_rel",
        default=lambda self: self.env.context.get("active_ids"),
        required=True,
    )
    date_cancel = fields.Date(
        string="Last Day of Delivery",
        required=True,
        default=fields.Date.context_today,
        help="Issues after this day are not delivered and are credited; a "
        "subscription never delivered (awaiting payment) is credited in full. A "
        "day in the future plans the cancellation: until then the subscription "
        "is delivered, reminded of payment and remedied as usual.",
    )
    churn_reason_id = fields.Many2one("publication.churn.reason", required=True)
    churn_note = fields.Text(string="Note")
    outcome = fields.Selection(
        OUTCOMES,
        required=True,
        default="cancelled",
        help="Recorded with the reason in the retention analysis. Only the save "
        "offers the publication makes (its Save Offers before a Cancellation) "
        "to every subscription chosen are offered; a cheaper offer or a discount "
        "applies from the next term.",
    )
    available_outcomes = fields.Json(compute="_compute_offers")
    has_offers = fields.Boolean(compute="_compute_offers")
    offer_plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Offer from the Next Term",
        compute="_compute_offers",
    )
    offer_discount = fields.Float(
        string="Discount on the Next Term (%)", compute="_compute_offers"
    )
    pause_date_from = fields.Date(string="Pause From")
    pause_date_to = fields.Date(string="Pause To")

    @api.depends("subscription_ids")
    def _compute_offers(self):
        """The outcomes of the save offers (_retention_offers, as on the
        portal) made to every subscription chosen, and what they are when
        they are the same for all."""
        for wizard in self:
            offers = [s._retention_offers() for s in wizard.subscription_ids]
            common = [
                outcome
                for outcome, _label in OUTCOMES[1:]
                if offers and all(outcome in o for o in offers)
            ]
            plans = {o["plan"] for o in offers if "plan" in common}
            discounts = {o["discount"] for o in offers if "discount" in common}
            wizard.available_outcomes = ["cancelled", *common]
            wizard.has_offers = bool(common)
            wizard.offer_plan_id = plans.pop() if len(plans) == 1 else False
            wizard.offer_discount = discounts.pop() if len(discounts) == 1 else 0.0

    def action_cancel(self):
        self.ensure_one()
        subscriptions = self.subscription_ids
        if self.outcome not in self.available_outcomes:
            raise UserError(
                self.env._(
                    "Outcome %(outcome)s is not a save offer made to %(names)s: "
                    "their publication does not offer it.",
                    outcome=dict(
                        self._fields["outcome"]._description_selection(self.env)
                    )[self.outcome],
                    names=", ".join(subscriptions.mapped("name")),
                )
            )
        if self.outcome == "cancelled":
            subscriptions._cancel(
                self.date_cancel, self.churn_reason_id, self.churn_note
            )
            subscriptions._log_retention(
                "cancelled", self.churn_reason_id, "backoffice", note=self.churn_note
            )
            return {"type": "ir.actions.act_window_close"}
        if self.outcome == "pause" and not (
            self.pause_date_from and self.pause_date_to
        ):
            raise UserError(
                self.env._("Give Pause From and Pause To to pause instead.")
            )
        for subscription in subscriptions:
            subscription._retention(
                self.outcome,
                self.churn_reason_id,
                "backoffice",
                note=self.churn_note,
                date_from=self.pause_date_from,
                date_to=self.pause_date_to,
            )
        return {"type": "ir.actions.act_window_close"}
