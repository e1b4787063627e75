"""Changes of a subscription's delivery: holiday pauses, free extensions and
planned changes of the delivery address."""

from datetime import timedelta
from math import ceil

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .publication_subscription import OPEN_STATES


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    next_delivery_address_id = fields.Many2one(
        "res.partner",
        copy=False,
        readonly=True,
        help="Planned move: becomes the delivery address on the date below.",
    )
    next_delivery_address_date = fields.Date(
        string="Moves On", copy=False, readonly=True
    )

    def _pause(self, date_from, date_to, reason=False):
        """Stop delivery for a holiday and extend the end by the missed issues."""
        self.ensure_one()
        if self.state not in OPEN_STATES:
            raise UserError(
                self.env._(
                    "Only open subscriptions can be paused; %(name)s is %(state)s.",
                    name=self.name,
                    state=dict(self._fields["state"].selection)[self.state],
                )
            )
        Pause = self.env["publication.subscription.pause"]
        Pause._check_input_bounds({"date_from": date_from, "date_to": date_to})
        new_end = self._end_after_pause(date_from, date_to)
        pause = Pause.create(
            {
                "subscription_id": self.id,
                "date_from": date_from,
                "date_to": date_to,
                "reason": reason,
                "previous_date_end": self.date_end,
                "new_date_end": new_end,
            }
        )
        self._move_end(new_end)
        payer_date = self.payer_id._publication_format_date
        self.message_post(
            body=self.env._(
                "Delivery paused from %(start)s to %(end)s; the subscription now ends "
                "on %(new_end)s.",
                start=payer_date(date_from),
                end=payer_date(date_to),
                new_end=payer_date(new_end),
            )
        )
        return pause

    def _move_end(self, new_end):
        """Deliver until new_end: the last period ends then too."""
        self.ensure_one()
        last_period = self.period_ids.filtered(lambda p: p.date_end == self.date_end)
        vals = {"date_end": new_end}
        if new_end > self.date_end:
            vals["reminder_days_sent"] = 0  # the reminders count from the new end
        self._write_state(vals)
        last_period.sudo().date_end = new_end

    def _end_after_pause(self, date_from, date_to):
        """End date that gives back the issues the pause holds back.

        With an issue calendar covering the pause, the end moves past as many
        planned issues as the pause misses; otherwise by the pause's length.
        """
        Issue = self.env["publication.issue"]
        domain = [("publication_id", "=", self.publication_id.id)]
        if Issue.search_count(domain + [("date", ">=", date_to)], limit=1):
            missed = Issue.search_count(
                domain + [("date", ">=", date_from), ("date", "<=", date_to)]
            )
            if not missed:
                return self.date_end
            later = Issue.search(
                domain + [("date", ">", self.date_end)], order="date", limit=missed
            )
            if len(later) == missed:
                return later[-1].date
        return self.date_end + timedelta(days=(date_to - date_from).days + 1)

    def _extend_by_issues(self, count=1, reason=False):
        """Deliver count more issues free of charge (a complaint's remedy): the
        end moves past the next planned issues, or by their share of a year
        when no issue calendar covers them."""
        self.ensure_one()
        self._raise_if_not_open(self.env._("Extending"))
        later = self.env["publication.issue"].search(
            [
                ("publication_id", "=", self.publication_id.id),
                ("date", ">", self.date_end),
            ],
            order="date",
            limit=count,
        )
        if len(later) == count:
            new_end = later[-1].date
        else:
            days = ceil(count * 365 / self.publication_id.issues_per_year)
            new_end = self.date_end + timedelta(days=days)
        previous_end = self.date_end
        self._move_end(new_end)
        self.message_post(
            body=self.env._(
                "Extended by %(count)s issue(s) free of charge (%(reason)s): the "
                "subscription now ends on %(new_end)s instead of %(old_end)s.",
                count=count,
                reason=reason or self.env._("goodwill"),
                new_end=self.payer_id._publication_format_date(new_end),
                old_end=self.payer_id._publication_format_date(previous_end),
            )
        )
        return new_end

    def _change_delivery_address(self, address, date_from, reason=False):
        """Deliver to address from date_from: at once when the date has come,
        otherwise planned and applied by a daily scheduled action."""
        self.ensure_one()
        self._raise_if_not_open(self.env._("Changing the delivery address"))
        if not address:
            raise UserError(self.env._("Give the new delivery address."))
        if date_from <= fields.Date.context_today(self):
            self.write(
                {
                    "delivery_address_id": address.id,
                    "next_delivery_address_id": False,
                    "next_delivery_address_date": False,
                }
            )
            body = self.env._(
                "Delivery address changed to %(address)s from %(date)s (%(reason)s); "
                "route: %(route)s.",
                address=address.display_name,
                date=self.payer_id._publication_format_date(date_from),
                reason=reason or "-",
                route=self.route_id.name or "-",
            )
        else:
            self.write(
                {
                    "next_delivery_address_id": address.id,
                    "next_delivery_address_date": date_from,
                }
            )
            body = self.env._(
                "Delivery address changes to %(address)s on %(date)s (%(reason)s).",
                address=address.display_name,
                date=self.payer_id._publication_format_date(date_from),
                reason=reason or "-",
            )
        self.message_post(body=body)
        return body

    def _apply_planned_address_change(self):
        for subscription in self:
            subscription._change_delivery_address(
                subscription.next_delivery_address_id,
                subscription.next_delivery_address_date,
            )

    @api.model
    def _planned_address_change_domain(self, today):
        return Domain(
            [
                ("next_delivery_address_id", "!=", False),
                ("next_delivery_address_date", "<=", today),
                ("state", "in", OPEN_STATES),
            ]
        )
