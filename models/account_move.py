from odoo import api, models


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _create_posted_publication_moves(self, company, vals_list):
        """Posted invoices and credit notes of subscriptions and advertisements.

        They are the add-on's doing, not the user's: a Publication User needs no
        accounting rights. Dated at creation, they are posted without the
        per-document recomputation of a date set at posting (twice as fast).
        """
        today = company._publication_today()
        for vals in vals_list:
            vals.setdefault("invoice_date", today)
        moves = (
            self.sudo()
            .with_company(company)
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(vals_list)
        )
        moves.action_post()
        return moves

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
