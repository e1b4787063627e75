import ipaddress

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the widest networks a licence may give: a /8 of IPv4, a /32 of IPv6
MIN_PREFIX = {4: 8, 6: 32}


class PublicationSiteLicenceNetwork(models.Model):
    """A network of a site licence, in CIDR notation (203.0.113.0/24,
    2001:db8::/48; one address alone is a /32 or /128). Stored normalised
    as text; the look-up compares it as PostgreSQL's cidr, on a GiST
    index."""

    _name = "publication.site.licence.network"
    _description = "Site Licence Network"
    _order = "licence_id, id"

    licence_id = fields.Many2one(
        "publication.site.licence", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="licence_id.company_id", store=True, index=True, precompute=True
    )
    cidr = fields.Char(
        string="Network",
        required=True,
        help="An IPv4 or IPv6 network in CIDR notation, for example "
        "203.0.113.0/24 or 2001:db8::/48; an address alone means that address.",
    )

    _cidr_lookup = models.Index("USING gist ((cidr::cidr) inet_ops)")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "cidr" in vals:
                vals["cidr"] = self._normalized_cidr(vals["cidr"])
        return super().create(vals_list)

    def write(self, vals):
        if "cidr" in vals:
            vals["cidr"] = self._normalized_cidr(vals["cidr"])
        return super().write(vals)

    @api.model
    def _normalized_cidr(self, value):
        """value as a network in CIDR notation (host bits cleared), or a
        ValidationError naming it."""
        text = (value or "").strip()
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            network = None
        if network is None:
            raise ValidationError(
                self.env._(
                    "Network %(value)s is not an IPv4 or IPv6 network in CIDR "
                    "notation, such as 203.0.113.0/24 or 2001:db8::/48.",
                    value=value,
                )
            )
        if network.prefixlen < MIN_PREFIX[network.version]:
            raise ValidationError(
                self.env._(
                    "Network %(value)s is too wide for a site licence: give at "
                    "least a /%(prefix)s.",
                    value=value,
                    prefix=MIN_PREFIX[network.version],
                )
            )
        return str(network)
