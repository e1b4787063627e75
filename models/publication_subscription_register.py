"""Subscriptions taken over from an older register (see the register import)."""

from odoo import fields, models


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    import_ref = fields.Char(
        string="Old System Reference",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Reference of the subscriber in the register it was imported from: "
        "a corrected file updates the subscription found by it.",
    )
