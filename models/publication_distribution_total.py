from odoo import fields, models

from .publication_issue.publication_issue import DELIVERY_METHODS


class PublicationDistributionTotal(models.Model):
    """Totals of a frozen distribution list by route and delivery method,
    written with its lines, so that print-run reports and complaint statistics
    read a few rows per issue instead of the lines."""

    _name = "publication.distribution.total"
    _description = "Distribution List Totals"
    _order = "issue_id, route_id"
    _log_access = False

    issue_id = fields.Many2one(
        "publication.issue", required=True, readonly=True, ondelete="cascade"
    )
    route_id = fields.Many2one("publication.route", readonly=True)
    delivery_method = fields.Selection(DELIVERY_METHODS, readonly=True)
    subscription_count = fields.Integer(readonly=True)
    copies = fields.Integer(readonly=True)
    replacement_copies = fields.Integer(readonly=True)

    _issue_idx = models.Index("(issue_id)")
