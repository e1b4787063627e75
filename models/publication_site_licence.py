"""Site licences: an organisation's subscription gives digital reading to
everyone reading from its networks (IPv4 and IPv6), for as long as the
subscription gives access. The entitlement service answers by IP address
(publication.entitlement._lookup_ip), with the licence's terms only."""

from odoo import api, fields, models


class PublicationSiteLicence(models.Model):
    _name = "publication.site.licence"
    _description = "Site Licence"
    _order = "subscription_id, id"
    _check_company_auto = True

    name = fields.Char(required=True, help="For example: Town Library, reading room.")
    subscription_id = fields.Many2one(
        "publication.subscription",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        help="The organisation's subscription: the licence reads while it gives "
        "access, and ends with it.",
    )
    company_id = fields.Many2one(
        related="subscription_id.company_id", store=True, index=True, precompute=True
    )
    publication_id = fields.Many2one(related="subscription_id.publication_id")
    partner_id = fields.Many2one(
        related="subscription_id.recipient_id", string="Organisation"
    )
    subscription_state = fields.Selection(related="subscription_id.state")
    network_ids = fields.One2many(
        "publication.site.licence.network", "licence_id", string="Networks"
    )
    network_count = fields.Integer(compute="_compute_network_count")
    active = fields.Boolean(default=True)

    @api.depends("network_ids")
    def _compute_network_count(self):
        for licence in self:
            licence.network_count = len(licence.network_ids)
