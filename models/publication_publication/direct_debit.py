from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PublicationPublication(models.Model):
    _inherit = "publication.publication"

    direct_debit_return_fee = fields.Monetary(
        help="Invoiced to the payer for each direct debit of this publication "
        "their bank returns (0: none).",
    )
    direct_debit_return_limit = fields.Integer(
        string="Returns Before Suspension",
        default=2,
        help="After this many returned direct debits the payer's mandate is "
        "suspended (Expired) and the payer is invoiced again.",
    )

    @api.constrains("direct_debit_return_fee", "direct_debit_return_limit")
    def _check_direct_debit_returns(self):
        for publication in self:
            if publication.direct_debit_return_fee < 0:
                raise ValidationError(
                    self.env._(
                        "Direct Debit Return Fee of %(name)s cannot be negative "
                        "(%(value)s).",
                        name=publication.name,
                        value=publication.direct_debit_return_fee,
                    )
                )
            if publication.direct_debit_return_limit < 1:
                raise ValidationError(
                    self.env._(
                        "Returns Before Suspension of %(name)s must be 1 or more, "
                        "not %(value)s.",
                        name=publication.name,
                        value=publication.direct_debit_return_limit,
                    )
                )
