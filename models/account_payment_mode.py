from odoo import api, models


class AccountPaymentMode(models.Model):
    _inherit = "account.payment.mode"

    @api.model
    def _publication_direct_debit_mode(self, company):
        """The payment mode of the company's direct debits: its first active
        inbound mode of OCA's SEPA Direct Debit method."""
        return (
            self.sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("payment_method_id.code", "=", "sepa_direct_debit"),
                    ("payment_type", "=", "inbound"),
                ],
                limit=1,
            )
            .sudo(False)
        )
