from odoo import api, fields, models

from .publication_issue.publication_issue import DELIVERY_METHODS


class PublicationIssueReplacement(models.Model):
    """A copy sent again to a subscriber who did not receive it (or received it
    damaged); counted in its issue's distribution."""

    _name = "publication.issue.replacement"
    _description = "Replacement Copy"
    _order = "date desc, id desc"
    _check_company_auto = True

    issue_id = fields.Many2one(
        "publication.issue", required=True, index=True, check_company=True
    )
    subscription_id = fields.Many2one(
        "publication.subscription", required=True, index=True, check_company=True
    )
    ticket_id = fields.Many2one("helpdesk.ticket", index=True, ondelete="set null")
    company_id = fields.Many2one(
        related="subscription_id.company_id", store=True, precompute=True, index=True
    )
    recipient_id = fields.Many2one(related="subscription_id.recipient_id")
    route_id = fields.Many2one(
        "publication.route",
        compute="_compute_delivery",
        precompute=True,
        store=True,
        readonly=False,
    )
    delivery_method = fields.Selection(
        DELIVERY_METHODS,
        compute="_compute_delivery",
        precompute=True,
        store=True,
        readonly=False,
    )
    quantity = fields.Integer(string="Copies", default=1, required=True)
    date = fields.Date(
        string="Sent On", required=True, default=fields.Date.context_today
    )

    _quantity_positive = models.Constraint(
        "CHECK(quantity > 0)", "A replacement sends at least one copy."
    )

    @api.depends("subscription_id")
    def _compute_delivery(self):
        for replacement in self:
            subscription = replacement.subscription_id
            replacement.route_id = subscription.route_id
            replacement.delivery_method = subscription.delivery_method or "post"

    @api.model_create_multi
    def create(self, vals_list):
        replacements = super().create(vals_list)
        sent_late = replacements.filtered("issue_id.distribution_frozen_date")
        if sent_late:
            self.env["publication.distribution.line"]._append_replacements(sent_late)
        return replacements
