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
