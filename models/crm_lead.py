from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    ad_contract_ids = fields.One2many(
        "publication.ad.contract", "lead_id", string="Ad Contracts"
    )
    ad_contract_count = fields.Integer(compute="_compute_ad_contract_count")

    def _compute_ad_contract_count(self):
        counts = dict(
            self.env["publication.ad.contract"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.ad_contract_count = counts.get(lead, 0)

    def action_new_ad_contract(self):
        """Turn the lead into an ad contract: the contract form, filled in from the
        lead (its customer is created when the lead has none yet)."""
        self.ensure_one()
        if not self.partner_id:
            self._handle_partner_assignment(create_missing=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_ad_contract_action"
        )
        action.update(
            {
                "views": [(False, "form")],
                "view_mode": "form",
                "target": "current",
                "context": {
                    "default_partner_id": self.partner_id.id,
                    "default_lead_id": self.id,
                    "default_user_id": (self.user_id or self.env.user).id,
                },
            }
        )
        return action

    def action_view_ad_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_ad_contract_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action
