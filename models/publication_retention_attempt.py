from odoo import api, fields, models

RETENTION_OUTCOMES = [
    ("pause", "Saved by a Pause"),
    ("plan", "Saved by a Cheaper or Digital Offer"),
    ("discount", "Saved by a Discount"),
    ("cancelled", "Cancelled"),
]


class PublicationRetentionAttempt(models.Model):
    """One cancellation asked by a reader (on the portal or to the back
    office): the save offers shown, the reason and the outcome."""

    _name = "publication.retention.attempt"
    _description = "Retention Attempt"
    _order = "date desc, id desc"
    _check_company_auto = True

    subscription_id = fields.Many2one(
        "publication.subscription", required=True, ondelete="cascade", index=True
    )
    publication_id = fields.Many2one(
        related="subscription_id.publication_id", store=True, index=True
    )
    company_id = fields.Many2one(
        related="subscription_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="subscription_id.payer_id", string="Payer", store=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    channel = fields.Selection(
        [("portal", "Portal"), ("backoffice", "Back Office")], required=True
    )
    churn_reason_id = fields.Many2one("publication.churn.reason", required=True)
    note = fields.Text()
    offered_pause = fields.Boolean(string="Pause Offered")
    offered_plan_id = fields.Many2one(
        "publication.subscription.plan", string="Offer Proposed"
    )
    offered_discount = fields.Float(string="Discount Offered (%)")
    outcome = fields.Selection(RETENTION_OUTCOMES, required=True)
    attempt_count = fields.Integer(string="Attempts", default=1, readonly=True)
    saved_count = fields.Integer(
        string="Saved", compute="_compute_saved", store=True, aggregator="sum"
    )
    save_rate = fields.Float(
        string="Save Rate (%)", compute="_compute_saved", store=True, aggregator="avg"
    )

    @api.depends("outcome")
    def _compute_saved(self):
        for attempt in self:
            saved = attempt.outcome != "cancelled"
            attempt.saved_count = int(saved)
            attempt.save_rate = 100.0 if saved else 0.0
