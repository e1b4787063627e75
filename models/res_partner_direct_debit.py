from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_open_direct_debit_wizard(self):
        """Enter the payer's SEPA direct debit mandate."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Direct Debit Mandate"),
            "res_model": "publication.direct.debit.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
