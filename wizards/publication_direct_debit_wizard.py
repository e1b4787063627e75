from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_iban.models.res_partner_bank import (
    normalize_iban,
    pretty_iban,
    validate_iban,
)


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
                    [
                        (
                            "partner_id",
                            "child_of",
                            wizard.partner_id.commercial_partner_id.ids,
                        ),
                        ("company_id", "=", self.env.company.id),
                        ("state", "=", "valid"),
                    ]
                )
                if wizard.partner_id
                else Mandate
            )

    def action_confirm(self):
        """The payer's bank account and a valid recurrent SEPA mandate (first
        debit next); the payer's other valid mandates are cancelled."""
        self.ensure_one()
        payer = self.partner_id.commercial_partner_id
        try:
            validate_iban(self.acc_number)
        except ValidationError as error:
            raise UserError(
                self.env._(
                    "IBAN %(iban)s of %(payer)s is not valid: %(error)s",
                    iban=self.acc_number,
                    payer=payer.display_name,
                    error=error.args[0],
                )
            ) from None
        if not self.env["account.payment.mode"]._publication_direct_debit_mode(
            self.env.company
        ):
            raise UserError(
                self.env._(
                    "Company %(company)s has no payment mode of the SEPA Direct "
                    "Debit method: an accountant creates one first (Invoicing > "
                    "Configuration > Payment Modes).",
                    company=self.env.company.name,
                )
            )
        sanitized = normalize_iban(self.acc_number)
        bank = payer.bank_ids.filtered(lambda b: b.sanitized_acc_number == sanitized)[
            :1
        ]
        if not bank:
            bank = self.env["res.partner.bank"].create(
                {
                    "partner_id": payer.id,
                    "acc_number": pretty_iban(sanitized),
                    "bank_id": self.bank_id.id,
                }
            )
        replaced = self.replaced_mandate_ids
        mandate = self.env["account.banking.mandate"].create(
            {
                "partner_bank_id": bank.id,
                "company_id": self.env.company.id,
                "format": "sepa",
                "type": "recurrent",
                "recurrent_sequence_type": "first",
                "signature_date": self.signature_date,
                "unique_mandate_reference": self.mandate_reference or "/",
            }
        )
        replaced.cancel()
        mandate.validate()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.banking.mandate",
            "res_id": mandate.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
