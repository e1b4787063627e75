from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    """A complaint category is a helpdesk category with a response deadline: the
    portal's ticket form and the mail gateway already know categories."""

    _inherit = "helpdesk.ticket.category"

    complaint_code = fields.Char(
        help="Set on the categories of subscriber complaints (missed_copy, ...); "
        "only these appear in the complaint statistics.",
    )
    response_type = fields.Selection(
        [("hours", "Within Hours"), ("same_day", "Same Working Day")],
        string="Response Deadline",
        help="Same working day: by the cut-off hour of the day the complaint is "
        "received (Monday to Friday), or of the next working day when received "
        "after the cut-off or on a weekend.",
    )
    response_hours = fields.Float(default=24.0, help="Hours to answer a complaint.")
    response_cutoff_hour = fields.Float(
        string="Cut-off Hour",
        default=17.0,
        help="End of the working day, in the company's time zone.",
    )

    churn_risk_points = fields.Integer(
        help="Churn-risk points a complaint of this category adds to those of "
        "its publication.",
    )

    _complaint_code_uniq = models.Constraint(
        "UNIQUE(complaint_code, company_id)",
        "A complaint code is used once per company.",
    )
    _response_hours_positive = models.Constraint(
        "CHECK(response_hours >= 0)",
        "The response hours of a complaint category cannot be negative.",
    )
    _cutoff_hour_valid = models.Constraint(
        "CHECK(response_cutoff_hour >= 0 AND response_cutoff_hour <= 24)",
        "The cut-off hour of a complaint category lies between 0 and 24.",
    )
