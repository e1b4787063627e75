from odoo import fields, models


class HelpdeskTicket(models.Model):
    """Internals of a complaint, never readable by portal users (also not over
    RPC): its route, deadlines, escalation and response times."""

    _inherit = "helpdesk.ticket"

    route_id = fields.Many2one(groups="base.group_user")
    response_deadline = fields.Datetime(groups="base.group_user")
    first_response_date = fields.Datetime(groups="base.group_user")
    escalated_date = fields.Datetime(groups="base.group_user")
    response_time = fields.Float(groups="base.group_user")
    close_time = fields.Float(groups="base.group_user")
