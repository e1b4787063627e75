from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PublicationPublication(models.Model):
    _inherit = "publication.publication"

    page_count = fields.Integer(
        string="Pages per Issue",
        default=0,
        help="Page template of the issues (e.g. a tabloid 24, a magazine 48); "
        "0: no page plan, the space for ads is not counted.",
    )
    editorial_pages = fields.Float(
        digits=(6, 2),
        help="Space of each issue reserved for the editorial content, in pages.",
    )
    overbooking = fields.Selection(
        [("refuse", "Refuse the booking"), ("option", "Keep it as an option")],
        string="When an Ad Does Not Fit",
        required=True,
        default="refuse",
        help="A booking that does not fit in its issue (space, page or premium "
        "position taken) is refused, or waits as an option that can be "
        "confirmed when space frees up.",
    )

    @api.constrains("page_count", "editorial_pages")
    def _check_page_template(self):
        for publication in self:
            if publication.page_count < 0 or not (
                0 <= publication.editorial_pages <= max(publication.page_count, 0)
            ):
                raise ValidationError(
                    self.env._(
                        "Publication %(publication)s: Editorial Pages (%(value)s) "
                        "must lie between 0 and its Pages per Issue "
                        "(%(count)s), which must not be negative.",
                        publication=publication.name,
                        value=publication.editorial_pages,
                        count=publication.page_count,
                    )
                )
