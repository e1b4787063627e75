from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PublicationReminderStep(models.Model):
    """One e-mail of a publication's renewal or payment reminder sequence."""

    _name = "publication.reminder.step"
    _description = "Reminder Step"
    _order = "publication_id, kind, days desc, id"

    publication_id = fields.Many2one(
        "publication.publication", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="publication_id.company_id", store=True)
    kind = fields.Selection(
        [("renewal", "Renewal Reminder"), ("dunning", "Payment Reminder")],
        required=True,
        default="renewal",
    )
    days = fields.Integer(
        required=True,
        help="Renewal reminder: days before the subscription ends. "
        "Payment reminder: days after the invoice was due.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        required=True,
        domain="[('model', '=', 'publication.subscription')]",
    )

    _days_uniq = models.Constraint(
        "UNIQUE(publication_id, kind, days)",
        "A publication has one reminder of a kind per number of days.",
    )

    @api.constrains("days")
    def _check_days(self):
        for step in self:
            if step.days < 1:
                raise ValidationError(
                    self.env._(
                        "Days of a reminder must be at least 1, not %(value)s.",
                        value=step.days,
                    )
                )
