from odoo import fields, models


class PublicationPublication(models.Model):
    """What a subscriber may do on the portal (/my/subscriptions)."""

    _inherit = "publication.publication"

    pause_notice_days = fields.Integer(
        string="Pause Notice (days)",
        default=3,
        help="A holiday pause asked on the portal starts at least this many days "
        "after the day it is asked.",
    )
    max_pauses_per_year = fields.Integer(
        string="Pauses per Year",
        default=3,
        help="Holiday pauses a subscription may start in one calendar year when "
        "asked on the portal; 0 for no limit.",
    )
    complaint_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Subscriber Service Team",
        help="Team of the publication's complaints (portal, e-mail, back office); "
        "empty: the add-on's default team Subscriber Service.",
    )
    portal_remedy = fields.Selection(
        [
            ("none", "None: the team answers"),
            ("resend", "Send the issue again"),
            ("extend", "Extend by one issue"),
        ],
        string="Remedy of Portal Complaints",
        default="none",
        required=True,
        help="Applied at once to a missing or damaged copy reported on the portal.",
    )

    # save offers of a cancellation (portal and back office)
    retention_pause = fields.Boolean(
        string="Offer a Pause",
        help="Before a cancellation, offer a holiday pause instead.",
    )
    retention_plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Offer Instead",
        domain="[('publication_id', '=', id), ('is_trial', '=', False)]",
        help="Before a cancellation, offer this cheaper or digital offer from the "
        "next term (to subscriptions whose offer has the same term).",
    )
    retention_discount = fields.Float(
        string="Discount Offered (%)",
        help="Before a cancellation, offer this discount on the next term; 0 for "
        "no discount offer.",
    )

    def _complaint_team(self):
        """The team of the publication's complaints: its own, else the default
        team of its company (the add-on's Subscriber Service, else the
        company's first team)."""
        self.ensure_one()
        if self.complaint_team_id:
            return self.complaint_team_id
        return self.env["helpdesk.ticket"]._default_complaint_team(
            self.company_id or self.env.company
        )

    _pause_notice_days_positive = models.Constraint(
        "CHECK(pause_notice_days >= 0)",
        "The pause notice of a publication cannot be negative.",
    )
    _max_pauses_per_year_positive = models.Constraint(
        "CHECK(max_pauses_per_year >= 0)",
        "The pauses per year of a publication cannot be negative.",
    )
    _retention_discount_range = models.Constraint(
        "CHECK(retention_discount >= 0 AND retention_discount < 100)",
        "The discount offered before a cancellation is between 0 and 100%.",
    )
