from odoo import fields, models


class PublicationSubscriptionPauseWizard(models.TransientModel):
    _name = "publication.subscription.pause.wizard"
    _description = "Pause Delivery"

    subscription_id = fields.Many2one(
        "publication.subscription",
        default=lambda self: (
            self.env.context.get("active_id")
            or (self.env.context.get("active_ids") or [False])[0]
        ),
        required=True,
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    reason = fields.Char(help="For example: holiday.")

    def action_pause(self):
        self.ensure_one()
        self.subscription_id._pause(self.date_from, self.date_to, self.reason)
        return {"type": "ir.actions.act_window_close"}
