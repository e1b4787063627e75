from odoo import api, fields, models
from odoo.exceptions import ValidationError

AD_FORMATS = [
    ("full", "Full Page"),
    ("half", "Half Page"),
    ("quarter", "Quarter Page"),
    ("eighth", "Eighth Page"),
    ("module", "Module (small ad)"),
]
AD_POSITIONS = [
    ("back_cover", "Back Cover"),
    ("inside_cover", "Inside Cover"),
    ("page_three", "Page 3"),
    ("inside", "Inside"),
    ("classified", "Classified"),
]
# Space of each format in pages, for the page plan of an issue.
AD_FORMAT_SPACE = {
    "full": 1.0,
    "half": 0.5,
    "quarter": 0.25,
    "eighth": 0.125,
    "module": 0.0625,
}
# Positions booked once per issue, and their page ("last": the last).
PREMIUM_POSITIONS = {"back_cover": "last", "page_three": 3}
AD_COLOURS = [("colour", "Colour"), ("bw", "Black and White")]


class PublicationRateCardLine(models.Model):
    _name = "publication.rate.card.line"
    _description = "Rate Card Price"
    _order = "rate_card_id, sequence, id"

    rate_card_id = fields.Many2one(
        "publication.rate.card", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="rate_card_id.company_id", store=True)
    currency_id = fields.Many2one(related="rate_card_id.currency_id")
    ad_format = fields.Selection(AD_FORMATS, string="Format", required=True)
    position = fields.Selection(AD_POSITIONS, required=True, default="inside")
    colour = fields.Selection(AD_COLOURS, required=True, default="colour")
    price = fields.Monetary(
        string="Price per Insertion", required=True, currency_field="currency_id"
    )

    _price_uniq = models.Constraint(
        "UNIQUE(rate_card_id, ad_format, position, colour)",
        "A rate card has one price per format, position and colour.",
    )

    @api.constrains("price")
    def _check_price(self):
        for line in self:
            if line.price < 0:
                raise ValidationError(
                    self.env._(
                        "Price per Insertion must not be negative, not %(value)s "
                        "(rate card %(card)s).",
                        value=line.price,
                        card=line.rate_card_id.name,
                    )
                )
