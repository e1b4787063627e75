from odoo import fields, models


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
        [
            ("cancelled", "Cancelled"),
            ("plan", "Saved by the publication's cheaper or digital offer"),
            ("discount", "Saved by the publication's discount"),
        ],
        required=True,
        default="cancelled",
        help="Recorded with the reason in the retention analysis. A save offer "
        "applies from the next term (see the publication's save offers).",
    )

    def action_cancel(self):
        self.ensure_one()
        subscriptions = self.subscription_ids
        if self.outcome == "cancelled":
            subscriptions._cancel(
                self.date_cancel, self.churn_reason_id, self.churn_note
            )
            subscriptions._log_retention(
                "cancelled", self.churn_reason_id, "backoffice", note=self.churn_note
            )
        else:
            for subscription in subscriptions:
                subscription._retention(
                    self.outcome,
                    self.churn_reason_id,
                    "backoffice",
                    note=self.churn_note,
                )
        return {"type": "ir.actions.act_window_close"}
