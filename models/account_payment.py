from odoo import api, models

from .company_check import companies_consistent


class AccountPayment(models.Model):
    _inherit = "account.payment"

    @api.depends("payment_method_line_id")
    def _compute_outstanding_account_id(self):
        """Odoo writes the outstanding account on each new payment whose
        method line has none, one write per payment: the payments of a
        payment order being confirmed get it here, found once per order (see
        account.payment.order's _publication_method_lines)."""
        res = super()._compute_outstanding_account_id()
        found = {
            line_id: outstanding
            for _method, _journal, line_id, outstanding in self.env.context.get(
                "publication_order_method_lines", ()
            )
            if outstanding
        }
        if found:
            for payment in self:
                line = payment.payment_method_line_id
                if (
                    payment.payment_order_id
                    and not payment.outstanding_account_id
                    and line.id in found
                ):
                    payment.outstanding_account_id = found[line.id]
        return res

    def _check_company(self, fnames=None):
        """A batch of payments (a payment order's) is checked at once."""
        if len(self) > 1 and companies_consistent(self, fnames):
            return
        return super()._check_company(fnames)

    def _generate_move_vals(
        self, write_off_line_vals=None, force_balance=None, line_ids=None
    ):
        """The journal entry of a payment order's payment is created with
        its order (OCA writes it on each entry after, one at a time)."""
        vals = super()._generate_move_vals(
            write_off_line_vals=write_off_line_vals,
            force_balance=force_balance,
            line_ids=line_ids,
        )
        if self.payment_order_id:
            vals["payment_order_id"] = self.payment_order_id.id
        return vals
