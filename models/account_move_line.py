from odoo import fields, models


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
