from odoo import fields, models


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
