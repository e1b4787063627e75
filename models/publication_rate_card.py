from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class PublicationRateCard(models.Model):
    _name = "publication.rate.card"
    _description = "Advertising Rate Card"
    _inherit = ["mail.thread"]
    _order = "publication_id, date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    publication_id = fields.Many2one(
        "publication.publication",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        related="publication_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        string="Valid From",
        required=True,
        tracking=True,
        help="Prices apply to issues published from this day.",
    )
    date_to = fields.Date(
        string="Valid To",
        tracking=True,
        help="Prices apply to issues published until this day; empty: open-ended.",
    )
    line_ids = fields.One2many(
        "publication.rate.card.line", "rate_card_id", string="Prices", copy=True
    )
    tier_ids = fields.One2many(
        "publication.rate.card.tier",
        "rate_card_id",
        string="Frequency Discounts",
        copy=True,
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for card in self:
            if card.date_to and card.date_to < card.date_from:
                raise ValidationError(
                    self.env._(
                        "Valid To (%(end)s) of rate card %(name)s is before its "
                        "Valid From (%(start)s).",
                        end=format_date(self.env, card.date_to),
                        start=format_date(self.env, card.date_from),
                        name=card.name,
                    )
                )

    @api.model
    def _find(self, publication, day):
        """The rate card of publication valid on day (the latest one starting)."""
        return self.search(
            [
                ("publication_id", "=", publication.id),
                ("date_from", "<=", day),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", day),
            ],
            order="date_from desc, id desc",
            limit=1,
        )

    def _get_line(self, ad_format, position, colour):
        self.ensure_one()
        return self.line_ids.filtered(
            lambda line: (
                line.ad_format == ad_format
                and line.position == position
                and line.colour == colour
            )
        )[:1]

    def _tier_discount(self, insertions):
        """Frequency discount (percent) earned by a contract's number of insertions."""
        self.ensure_one()
        reached = self.tier_ids.filtered(lambda t: t.min_insertions <= insertions)
        return max(reached.mapped("discount"), default=0.0)
