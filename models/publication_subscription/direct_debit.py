from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    direct_debit_mandate_id = fields.Many2one(
        "account.banking.mandate",
        compute="_compute_direct_debit_mandate_id",
        compute_sudo=True,
        help="The payer's valid SEPA mandate: the subscription's invoices are "
        "collected by direct debit.",
    )

    def _compute_direct_debit_mandate_id(self):
        for company, subscriptions in self.grouped("company_id").items():
            mode = self.env["account.payment.mode"]._publication_direct_debit_mode(
                company
            )
            for subscription in subscriptions:
                payer = subscription.payer_id.with_company(company)
                debits = mode and payer.customer_payment_mode_id == mode
                subscription.direct_debit_mandate_id = (
                    payer.valid_mandate_id if debits else False
                )

    def action_open_direct_debit_wizard(self):
        self.ensure_one()
        return self.payer_id.action_open_direct_debit_wizard()

    def _direct_debit_returned_invoice(self):
        """The subscription's invoice last returned by the payer's bank (for
        the mail that tells the payer)."""
        self.ensure_one()
        invoices = self.sudo().period_ids.invoice_id.filtered(
            "direct_debit_return_reason_id"
        )
        return invoices.sorted("id")[-1:]

    # ------------------------------------------------------------------
    # The payer's mandate on the portal
    # ------------------------------------------------------------------
    def _direct_debit_offered(self):
        """Whether the subscription's company collects by SEPA direct debit
        (it has the payment mode and a creditor identifier)."""
        self.ensure_one()
        company = self.sudo().company_id
        mode = self.env["account.payment.mode"].sudo()
        return bool(
            company.sepa_creditor_identifier
            and mode._publication_direct_debit_mode(company)
        )

    def _direct_debit_authorisation(self):
        """The SEPA mandate's authorisation the payer ticks on the portal, in
        the user's language, naming the creditor."""
        self.ensure_one()
        company = self.sudo().company_id
        return self.env._(
            "By signing this mandate, I authorise %(creditor)s (creditor identifier "
            "%(identifier)s) to send instructions to my bank to debit my account, "
            "and my bank to debit my account in accordance with those "
            "instructions. I am entitled to a refund from my bank under the terms "
            "of my agreement with it; a refund must be claimed within 8 weeks of "
            "the date my account was debited.",
            creditor=company.name,
            identifier=company.sepa_creditor_identifier,
        )

    def _direct_debit_summary(self):
        """The payer's valid mandate in a sentence, for the portal."""
        self.ensure_one()
        mandate = self.direct_debit_mandate_id
        return self.env._(
            "Your invoices are collected by SEPA direct debit from %(iban)s (mandate "
            "%(reference)s, signed %(date)s).",
            iban=mandate.partner_bank_id.acc_number,
            reference=mandate.unique_mandate_reference,
            date=format_date(self.env, mandate.signature_date),
        )

    def _portal_sign_mandate(self, partner, iban):
        """The payer (partner, logged in) signs a SEPA mandate on the portal
        today: the payer's invoices are collected from iban from now on."""
        self.ensure_one()
        self._portal_check_actor(partner, "direct_debit")
        if not self._direct_debit_offered():
            raise UserError(
                self.env._(
                    "%(publication)s does not collect by direct debit: pay the "
                    "invoices as before.",
                    publication=self.publication_id.name,
                )
            )
        company = self.sudo().company_id
        mandate = (
            self.payer_id.sudo()
            .with_company(company)
            ._publication_sign_mandate(iban, fields.Date.context_today(self))
        )
        body = self.env._(
            "%(partner)s signed SEPA mandate %(reference)s on the portal: the "
            "invoices are collected by direct debit from %(iban)s.",
            partner=partner.display_name,
            reference=mandate.unique_mandate_reference,
            iban=mandate.partner_bank_id.acc_number,
        )
        mandate.message_post(body=body)
        self.sudo().message_post(body=body)
        return mandate

    def _portal_stop_direct_debit(self, partner):
        """The payer (partner, logged in) revokes their mandates: the next
        invoices are sent for payment by hand."""
        self.ensure_one()
        self._portal_check_actor(partner, "direct_debit")
        company = self.sudo().company_id
        mandates = (
            self.env["account.banking.mandate"]
            .sudo()
            .search(self.payer_id._publication_valid_mandate_domain(company))
        )
        if not mandates:
            raise UserError(
                self.env._(
                    "%(payer)s has no valid direct debit mandate to revoke.",
                    payer=self.payer_id.display_name,
                )
            )
        mandates.cancel()
        body = self.env._(
            "%(partner)s revoked SEPA mandate %(reference)s on the portal: the "
            "invoices are sent for payment by hand.",
            partner=partner.display_name,
            reference=", ".join(mandates.mapped("unique_mandate_reference")),
        )
        for mandate in mandates:
            mandate.message_post(body=body)
        self.sudo().message_post(body=body)
