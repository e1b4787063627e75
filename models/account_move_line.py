from odoo import api, fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    publication_period_id = fields.Many2one(
        "publication.subscription.period",
        string="Subscription Period",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="publication_crm.group_publication_user",
        help="The subscription period this line invoices or credits.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """While a payment return is confirmed, OCA creates the return item
        of each returned debit on its own (the return entry's lines are
        synchronised at each one): the first one creates all of them in one
        batch (see payment.return)."""
        return_id = self.env.context.get("publication_batch_return_id")
        if return_id:
            items = self.env["payment.return"].browse(return_id)
            items = items._publication_return_item(self, vals_list)
            if items is not None:
                return items
        return super().create(vals_list)

    def reconcile(self):
        """While a payment return is confirmed, OCA reconciles each returned
        payment item with its return item, a pair at a time: the first pair
        reconciles all of them in one batch (see payment.return)."""
        return_id = self.env.context.get("publication_batch_return_id")
        if return_id and self.env["payment.return"].browse(
            return_id
        )._publication_reconcile_pairs(self):
            return None
        return super().reconcile()
