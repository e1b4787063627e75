from odoo import fields, models


class PublicationPostalMailingLine(models.Model):
    """Who a postal mailing went to, and at which address."""

    _name = "publication.postal.mailing.line"
    _description = "Postal Mailing Recipient"
    _order = "mailing_id, zip, name, id"

    mailing_id = fields.Many2one(
        "publication.postal.mailing", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one("res.partner", required=True, index=True)
    subscription_id = fields.Many2one(
        "publication.subscription", index="btree_not_null"
    )
    name = fields.Char(required=True)
    street = fields.Char()
    street2 = fields.Char()
    zip = fields.Char()
    city = fields.Char()
    country_id = fields.Many2one("res.country")
    date_sent = fields.Date(related="mailing_id.date_sent", store=True)
    campaign_id = fields.Many2one(
        related="mailing_id.campaign_id", store=True, index="btree_not_null"
    )

    def _address_lines(self, home_country):
        """The lines of its address, the country only when abroad."""
        self.ensure_one()
        lines = [
            self.name,
            self.street,
            self.street2,
            " ".join(filter(None, [self.zip, self.city])),
        ]
        if self.country_id and self.country_id != home_country:
            lines.append(self.country_id.name)
        return [line for line in lines if line]
