from odoo import models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_iban.models.res_partner_bank import (
    normalize_iban,
    pretty_iban,
    validate_iban,
)


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

    def _publication_sign_mandate(
        self, acc_number, signature_date, reference=False, bank=False
    ):
        """The mandate this payer signed for the current company (entered by
        a clerk, or signed by the payer on the portal): their bank account
        of IBAN acc_number and a valid recurrent SEPA mandate (first debit
        next); their other valid mandates are cancelled. Returns it."""
        self.ensure_one()
        payer = self.commercial_partner_id
        company = self.env.company
        try:
            validate_iban(acc_number or "")
        except ValidationError as error:
            raise UserError(
                self.env._(
                    "IBAN %(iban)s of %(payer)s is not valid: %(error)s",
                    iban=acc_number or "",
                    payer=payer.display_name,
                    error=error.args[0],
                )
            ) from None
        if not self.env["account.payment.mode"]._publication_direct_debit_mode(company):
            raise UserError(
                self.env._(
                    "Company %(company)s has no payment mode of the SEPA Direct "
                    "Debit method: an accountant creates one first (Invoicing > "
                    "Configuration > Payment Modes).",
                    company=company.name,
                )
            )
        sanitized = normalize_iban(acc_number)
        account = payer.bank_ids.filtered(
            lambda b: b.sanitized_acc_number == sanitized
        )[:1]
        if not account:
            account = self.env["res.partner.bank"].create(
                {
                    "partner_id": payer.id,
                    "acc_number": pretty_iban(sanitized),
                    "bank_id": bank.id if bank else False,
                }
            )
        Mandate = self.env["account.banking.mandate"]
        replaced = Mandate.search(self._publication_valid_mandate_domain(company))
        mandate = Mandate.create(
            {
                "partner_bank_id": account.id,
                "company_id": company.id,
                "format": "sepa",
                "type": "recurrent",
                "recurrent_sequence_type": "first",
                "signature_date": signature_date,
                "unique_mandate_reference": reference or "/",
            }
        )
        replaced.cancel()
        mandate.validate()
        return mandate

    def _publication_valid_mandate_domain(self, company):
        """The valid mandates of this payer (their company's contacts' too)
        in company."""
        return [
            ("partner_id", "child_of", self.commercial_partner_id.ids),
            ("company_id", "=", company.id),
            ("state", "=", "valid"),
        ]
