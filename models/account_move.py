from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        """Paid subscription invoices start (or resume) delivery."""
        res = super()._invoice_paid_hook()
        periods = (
            self.env["publication.subscription.period"]
            .sudo()
            .search([("invoice_id", "in", self.ids)])
        )
        periods.subscription_id._on_invoice_paid()
        return res
