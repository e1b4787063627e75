from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PublicationRateCardTier(models.Model):
    _name = "publication.rate.card.tier"
    _description = "Rate Card Frequency Discount"
    _order = "rate_card_id, min_insertions"

    rate_card_id = fields.Many2one(
        "publication.rate.card", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="rate_card_id.company_id", store=True)
    min_insertions = fields.Integer(
        string="From Insertions",
        required=True,
        help="The discount applies from this insertion of a contract on.",
    )
    discount = fields.Float(string="Discount (%)", required=True, digits=(5, 2))

    _min_insertions_uniq = models.Constraint(
        "UNIQUE(rate_card_id, min_insertions)",
        "A rate card has one discount per number of insertions.",
    )

    @api.constrains("min_insertions", "discount")
    def _check_tier(self):
        for tier in self:
            if tier.min_insertions < 2:
                raise ValidationError(
                    self.env._(
                        "From Insertions of a frequency discount must be at least 2, "
                        "not %(value)s.",
                        value=tier.min_insertions,
                    )
                )
            if not 0 < tier.discount < 100:
                raise ValidationError(
                    self.env._(
                        "Discount (%%) of a frequency discount must be between 0 and "
                        "100, not %(value)s.",
                        value=tier.discount,
                    )
                )
