from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .publication_issue.publication_issue import DELIVERY_METHODS


def normalize_zip(value):
    return (value or "").replace(" ", "").upper()


class PublicationRoute(models.Model):
    _name = "publication.route"
    _description = "Delivery Route"
    _order = "sequence, code, id"

    name = fields.Char(required=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    delivery_method = fields.Selection(DELIVERY_METHODS, required=True, default="post")
    user_id = fields.Many2one(
        "res.users",
        string="Regional Manager",
        domain=[("share", "=", False)],
        help="Answers for deliveries on this route.",
    )
    country_id = fields.Many2one("res.country")
    zip_from = fields.Char(string="Postal Code From")
    zip_to = fields.Char(string="Postal Code To")
    extra_copies = fields.Integer(
        help="Copies added to every distribution list this route delivers "
        "(spares for the carrier, shops, sales points).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    delivery_cost = fields.Monetary(
        string="Delivery Cost per Copy",
        help="Cost of delivering one copy on this route; when 0, the "
        "publication's Delivery Cost per Copy.",
    )

    _code_company_uniq = models.Constraint(
        "UNIQUE(code, company_id)", "The code of a route must be unique per company."
    )
    _extra_copies_positive = models.Constraint(
        "CHECK(extra_copies >= 0)", "Extra copies of a route must not be negative."
    )

    @api.constrains("zip_from", "zip_to")
    def _check_zip_range(self):
        for route in self:
            low, high = normalize_zip(route.zip_from), normalize_zip(route.zip_to)
            if bool(low) != bool(high):
                raise ValidationError(
                    self.env._(
                        "Route %(route)s needs both Postal Code From and Postal Code "
                        "To, or neither.",
                        route=route.name,
                    )
                )
            if low and (len(low) != len(high) or low > high):
                raise ValidationError(
                    self.env._(
                        "Postal Code From (%(low)s) of route %(route)s must be before "
                        "Postal Code To (%(high)s) and of the same length.",
                        low=route.zip_from,
                        high=route.zip_to,
                        route=route.name,
                    )
                )

    def _matches(self, address):
        """Whether this route serves the postal address of a partner."""
        zip_code = normalize_zip(address.zip)
        if not zip_code or not self.zip_from:
            return False
        if (
            self.country_id
            and address.country_id
            and self.country_id != address.country_id
        ):
            return False
        low, high = normalize_zip(self.zip_from), normalize_zip(self.zip_to)
        return len(zip_code) == len(low) and low <= zip_code <= high

    @api.model
    def _find_for_addresses(self, pairs):
        """Route per (address, company, digital) tuple, with one search for all."""
        routes = self.search(
            [("company_id", "in", list({company.id for _a, company, _d in pairs}))]
        )
        found = {}
        for address, company, digital in pairs:
            candidates = routes.filtered(lambda r, c=company: r.company_id == c)
            if digital:
                match = candidates.filtered(lambda r: r.delivery_method == "digital")
            else:
                match = candidates.filtered(lambda r, a=address: r._matches(a))
            found[address, company, digital] = match[:1]
        return found
