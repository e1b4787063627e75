from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the entitlement service looks readers up by it
    email_normalized = fields.Char(index="btree_not_null")
    entitlement_count = fields.Integer(
        string="Reading Now",
        compute="_compute_entitlement_count",
        groups="publication_crm.group_publication_user",
        help="Publications this person may read today (entitlements with access).",
    )

    def _compute_entitlement_count(self):
        counts = dict(
            self.env["publication.entitlement"]._read_group(
                [("reader_id", "in", self.ids), ("grants_access", "=", True)],
                ["reader_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.entitlement_count = counts.get(partner, 0)

    def action_view_entitlements(self):
        """What this partner may read, and has read: their entitlements."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_entitlement_action"
        )
        action["domain"] = [("reader_id", "=", self.id)]
        return action
