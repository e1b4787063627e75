from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import datetime, safe_eval

SEGMENT_MODELS = [
    ("publication.subscription", "Subscriptions"),
    ("res.partner", "Contacts"),
]


class PublicationSegment(models.Model):
    """A saved selection of the register: a domain over subscriptions or
    contacts, which may use dates relative to today, best as the literal
    relative dates the domain editor writes ("today =1d +1m")."""

    _name = "publication.segment"
    _description = "Segment"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    model_name = fields.Selection(
        SEGMENT_MODELS,
        string="Target",
        required=True,
        default="publication.subscription",
    )
    domain = fields.Char(required=True, default="[]")
    description = fields.Text()
    record_count = fields.Integer(string="Records", compute="_compute_record_count")

    @api.depends("model_name", "domain")
    def _compute_record_count(self):
        for segment in self:
            segment.record_count = segment._target_model().search_count(
                segment._get_domain()
            )

    def _target_model(self):
        """The segment's model, relative dates read at the company's today."""
        self.ensure_one()
        return self.env[self.model_name].with_context(
            tz=self.env.company._publication_tz()
        )

    def _get_domain(self):
        """The saved domain, its dates relative to the company's today."""
        self.ensure_one()
        today = self.env.company._publication_today()
        try:
            return safe_eval(
                self.domain or "[]",
                {
                    "context_today": lambda: today,
                    "relativedelta": relativedelta,
                    "datetime": datetime,
                    "uid": self.env.uid,
                },
            )
        except Exception as error:
            raise UserError(
                self.env._(
                    "The domain of segment %(name)s cannot be read: %(error)s",
                    name=self.name,
                    error=error,
                )
            ) from error

    def _records(self):
        self.ensure_one()
        return self._target_model().search(self._get_domain())

    def action_open_records(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self.model_name,
            "view_mode": "list,form",
            "domain": self._get_domain(),
        }

    def action_new_mailing(self):
        """An Email Marketing mailing to the segment's records of today."""
        self.ensure_one()
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": self.name,
                "mailing_model_id": self.env["ir.model"]._get(self.model_name).id,
                "mailing_domain": repr(self._get_domain()),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.mailing",
            "res_id": mailing.id,
            "view_mode": "form",
        }

    def action_new_postal_mailing(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "publication.postal.mailing",
            "view_mode": "form",
            "context": {"default_segment_id": self.id, "default_name": self.name},
        }
