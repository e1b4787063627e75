from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..utils.input_bounds import check_vals


class PublicationSubscriptionPause(models.Model):
    _name = "publication.subscription.pause"
    _description = "Delivery Pause"
    _order = "date_from desc, id desc"

    subscription_id = fields.Many2one(
        "publication.subscription", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="subscription_id.company_id", store=True)
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    reason = fields.Char()
    previous_date_end = fields.Date(string="End Before", readonly=True)
    new_date_end = fields.Date(string="End After", readonly=True)

    def _check_input_bounds(self, vals):
        """Dates of vals within bounds (see input_bounds): before the end
        after the pause is computed from them, and by the constraint."""
        check_vals(
            self, vals, dates=["date_from", "date_to"], owner=self.env._("pause")
        )

    @api.constrains("date_from", "date_to", "subscription_id")
    def _check_dates(self):
        for pause in self:
            pause._check_input_bounds(
                {"date_from": pause.date_from, "date_to": pause.date_to}
            )
            subscription = pause.subscription_id
            if pause.date_to < pause.date_from:
                raise ValidationError(
                    self.env._(
                        "Pause To (%(to)s) is before From (%(start)s).",
                        to=format_date(self.env, pause.date_to),
                        start=format_date(self.env, pause.date_from),
                    )
                )
            if pause.date_from < subscription.date_start or (
                pause.previous_date_end and pause.date_from > pause.previous_date_end
            ):
                raise ValidationError(
                    self.env._(
                        "Pause From (%(start)s) is outside subscription %(name)s "
                        "(%(sub_start)s to %(sub_end)s).",
                        start=format_date(self.env, pause.date_from),
                        name=subscription.name,
                        sub_start=format_date(self.env, subscription.date_start),
                        sub_end=format_date(
                            self.env, pause.previous_date_end or subscription.date_end
                        ),
                    )
                )
            overlapping = subscription.pause_ids.filtered(
                lambda p, pause=pause: (
                    p != pause
                    and p.date_from <= pause.date_to
                    and p.date_to >= pause.date_from
                )
            )
            if overlapping:
                raise ValidationError(
                    self.env._(
                        "Pause %(start)s to %(to)s overlaps the pause from %(other)s.",
                        start=format_date(self.env, pause.date_from),
                        to=format_date(self.env, pause.date_to),
                        other=format_date(self.env, overlapping[0].date_from),
                    )
                )
