from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

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
