from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..utils.input_bounds import check_vals


class PublicationSubscriptionGiftWizard(models.TransientModel):
    """Many subscriptions paid by one payer (gifts, sponsored copies), one invoice."""

    _name = "publication.subscription.gift.wizard"
    _description = "Gift and Sponsored Subscriptions"

    payer_id = fields.Many2one("res.partner", required=True)
    publication_id = fields.Many2one("publication.publication", required=True)
    plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Offer",
        required=True,
        domain="[('publication_id', '=', publication_id)]",
    )
    origin = fields.Selection(
        [("gift", "Gift"), ("sponsored", "Sponsored")], required=True, default="gift"
    )
    date_start = fields.Date(
        string="Start", required=True, default=fields.Date.context_today
    )
    line_ids = fields.One2many(
        "publication.subscription.gift.wizard.line", "wizard_id", string="Recipients"
    )
    recipient_ids = fields.Many2many(
        "res.partner",
        string="Add Recipients",
        help="Quickly add one copy for each of these partners.",
    )

    @api.onchange("recipient_ids")
    def _onchange_recipient_ids(self):
        known = self.line_ids.recipient_id
        self.line_ids = [
            Command.create({"recipient_id": partner.id, "quantity": 1})
            for partner in self.recipient_ids._origin - known
        ]

    @api.onchange("publication_id")
    def _onchange_publication_id(self):
        if self.plan_id.publication_id != self.publication_id:
            self.plan_id = False

    def _prepare_subscription(self, line):
        return {
            "recipient_id": line.recipient_id.id,
            "delivery_address_id": line.delivery_address_id.id or line.recipient_id.id,
            "payer_id": self.payer_id.id,
            "publication_id": self.publication_id.id,
            "plan_id": self.plan_id.id,
            "quantity": line.quantity,
            "origin": self.origin,
            "date_start": self.date_start,
        }

    def action_create(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Add at least one recipient."))
        check_vals(self, {"date_start": self.date_start}, dates=["date_start"])
        subscriptions = self.env["publication.subscription"].create(
            [self._prepare_subscription(line) for line in self.line_ids]
        )
        subscriptions.action_confirm()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_subscription_action"
        )
        action["domain"] = [("id", "in", subscriptions.ids)]
        return action
