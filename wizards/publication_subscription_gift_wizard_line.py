from odoo import api, fields, models

from ..utils.input_bounds import check_vals


class PublicationSubscriptionGiftWizardLine(models.TransientModel):
    _name = "publication.subscription.gift.wizard.line"
    _description = "Gift or Sponsored Copy"

    wizard_id = fields.Many2one(
        "publication.subscription.gift.wizard", required=True, ondelete="cascade"
    )
    recipient_id = fields.Many2one("res.partner", required=True)
    delivery_address_id = fields.Many2one(
        "res.partner",
        compute="_compute_delivery_address_id",
        store=True,
        readonly=False,
    )
    quantity = fields.Integer(string="Copies", default=1, required=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals, copies=["quantity"])
        return super().create(vals_list)

    def write(self, vals):
        check_vals(self, vals, copies=["quantity"])
        return super().write(vals)

    @api.depends("recipient_id")
    def _compute_delivery_address_id(self):
        for line in self:
            line.delivery_address_id = (
                line.recipient_id.address_get(["delivery"])["delivery"]
                if line.recipient_id
                else False
            )
