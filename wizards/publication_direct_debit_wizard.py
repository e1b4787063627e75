from odoo import api, fields, models


class PublicationDirectDebitWizard(models.TransientModel):
    """A clerk enters the SEPA direct debit mandate a payer signed: their
    subscriptions are then collected by direct debit."""

    _name = "publication.direct.debit.wizard"
    _description = "Enter a Direct Debit Mandate"

    partner_id = fields.Many2one("res.partner", string="Payer", required=True)
    acc_number = fields.Char(string="IBAN", required=True)
    bank_id = fields.Many2one("res.bank")
    mandate_reference = fields.Char(
        size=35,
        help="The reference printed on the signed mandate; left empty, the "
        "next number of the mandate sequence.",
    )
    signature_date = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self)
    )
    replaced_mandate_ids = fields.Many2many(
        "account.banking.mandate",
        compute="_compute_replaced_mandate_ids",
        string="Replaced Mandates",
    )

    @api.depends("partner_id")
    def _compute_replaced_mandate_ids(self):
        Mandate = self.env["account.banking.mandate"]
        for wizard in self:
            wizard.replaced_mandate_ids = (
                Mandate.search(
                    wizard.partner_id._publication_valid_mandate_domain(
                        self.env.company
                    )
                )
                if wizard.partner_id
                else Mandate
            )

    def action_confirm(self):
        """The payer's valid recurrent SEPA mandate (see
        res.partner._publication_sign_mandate), shown."""
        self.ensure_one()
        mandate = self.partner_id._publication_sign_mandate(
            self.acc_number,
            self.signature_date,
            reference=self.mandate_reference,
            bank=self.bank_id,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.banking.mandate",
            "res_id": mandate.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
