from odoo import fields, models


class PublicationPublication(models.Model):
    """Costs to serve a reader and the weights of the churn-risk score."""

    _inherit = "publication.publication"

    print_cost = fields.Monetary(
        string="Print Cost per Copy", help="Cost of printing one copy of an issue."
    )
    delivery_cost = fields.Monetary(
        string="Delivery Cost per Copy",
        help="Cost of delivering one printed copy; a route's own cost replaces it. "
        "Digital copies cost nothing to deliver.",
    )
    complaint_cost = fields.Monetary(
        string="Cost per Complaint", help="Cost of handling one complaint ticket."
    )
    risk_complaint_points = fields.Integer(
        string="Risk: per Complaint",
        default=10,
        help="Churn-risk points per complaint in the last 12 months (plus its "
        "category's points).",
    )
    risk_pause_points = fields.Integer(
        string="Risk: per Pause",
        default=5,
        help="Churn-risk points per pause started in the last 12 months.",
    )
    risk_dunning_points = fields.Integer(
        string="Risk: per Payment Reminder",
        default=15,
        help="Churn-risk points per payment reminder in the last 12 months.",
    )
    risk_reminder_points = fields.Integer(
        string="Risk: per Unanswered Renewal Reminder",
        default=10,
        help="Churn-risk points per renewal reminder of the current end, not "
        "answered by a renewal yet.",
    )
    risk_tenure_points = fields.Integer(
        string="Risk: First Year",
        default=10,
        help="Churn-risk points of a reader subscribed for less than a year.",
    )
    risk_fixed_points = fields.Integer(
        string="Risk: Fixed Term",
        default=10,
        help="Churn-risk points of a fixed-term subscription (continuous ones "
        "renew unless cancelled).",
    )
    risk_threshold = fields.Integer(
        string="High Risk From",
        default=30,
        help="Open subscriptions with at least this churn-risk score are at high "
        "risk (a filter and a segment).",
    )
