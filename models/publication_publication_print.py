from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PublicationPublication(models.Model):
    _inherit = "publication.publication"

    print_deadline_days = fields.Integer(
        string="Print Deadline (days)",
        default=1,
        help="The distribution list of an issue is frozen this many days before "
        "its publication date (0: on the day), by a daily scheduled action.",
    )

    @api.constrains("print_deadline_days")
    def _check_print_deadline_days(self):
        for publication in self.filtered(lambda p: p.print_deadline_days < 0):
            raise ValidationError(
                self.env._(
                    "Print Deadline (days) of publication %(name)s must not be "
                    "negative, not %(value)s.",
                    name=publication.name,
                    value=publication.print_deadline_days,
                )
            )
