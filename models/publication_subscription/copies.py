"""Changes of the number of copies of an open subscription: invoiced or
credited for the rest of the invoiced periods, or planned for the next period,
as the publication says."""

from odoo import api, fields, models
from odoo.fields import Domain

from .publication_subscription import OPEN_STATES


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    next_quantity = fields.Integer(
        string="Copies from Next Period",
        copy=False,
        readonly=True,
        help="Copies planned from the next period on (set when Copies is changed "
        "on an open subscription of a publication that changes copies from the "
        "next period).",
    )
    next_quantity_date = fields.Date(
        string="Copies Change On",
        copy=False,
        readonly=True,
        help="Start of the period invoiced with the planned copies; Copies takes "
        "that value then.",
    )

    def _copies_to_change(self, vals):
        """Those of self whose Copies vals changes on an open, paying
        subscription: invoiced, credited or planned by _change_copies instead
        of written. The add-on's own writes (as superuser) set the copies as
        they are."""
        if "quantity" not in vals or self.env.su:
            return self.browse()
        return self.filtered(
            lambda s: (
                s.state in OPEN_STATES
                and not s._is_free()
                and (s.quantity != vals["quantity"] or s.next_quantity)
            )
        )

    def _change_copies(self, quantity):
        """Give these open subscriptions quantity copies: at once, with an
        invoice (more copies) or a credit note (fewer) for the rest of their
        invoiced periods, or from their next period, by the publication's
        Change of Copies."""
        for policy, subscriptions in self.grouped(
            lambda s: s.publication_id.copies_change_policy
        ).items():
            if policy == "next_period":
                subscriptions._plan_copies(quantity)
            else:
                subscriptions._apply_copies_now(quantity)

    def _plan_copies(self, quantity):
        """The next period not yet invoiced has quantity copies; until it
        starts, deliveries and invoices keep the current copies."""
        for subscription in self:
            planned = quantity if quantity != subscription.quantity else 0
            subscription._write_state(
                {"next_quantity": planned, "next_quantity_date": False}
            )
            if planned:
                body = self.env._(
                    "Copies change from %(old)s to %(new)s from the next period "
                    "(after %(date)s).",
                    old=subscription.quantity,
                    new=planned,
                    date=subscription.payer_id._publication_format_date(
                        subscription.date_end
                    ),
                )
            elif subscription.quantity == 1:
                body = self.env._("Planned change of copies withdrawn: 1 copy.")
            else:
                body = self.env._(
                    "Planned change of copies withdrawn: %(copies)s copies.",
                    copies=subscription.quantity,
                )
            subscription.message_post(body=body)

    def _apply_copies_now(self, quantity):
        """quantity copies from today on; the invoiced periods not yet over
        get an invoice or a credit note for the difference, prorated."""
        today = self.company_id[:1]._publication_today()
        previous = {subscription: subscription.quantity for subscription in self}
        self._write_state(
            {"quantity": quantity, "next_quantity": 0, "next_quantity_date": False}
        )
        periods = self.sudo().period_ids.filtered(
            lambda p: (
                p.invoice_line_id and not p.refund_id and p.invoice_id.state == "posted"
            )
        )
        moves = periods._invoice_copies_change(quantity, today)
        for subscription in self:
            subscription_moves = moves.filtered(
                lambda m, s=subscription: s in m.publication_subscription_ids
            )
            subscription.message_post(
                body=self.env._(
                    "Copies changed from %(old)s to %(new)s after %(date)s; "
                    "invoiced or credited for the rest of the period: %(moves)s.",
                    old=previous[subscription],
                    new=quantity,
                    date=subscription.payer_id._publication_format_date(today),
                    moves=", ".join(subscription_moves.mapped("name")) or "-",
                )
            )

    def _planned_quantity(self):
        """Copies of a new period: those planned from the next period on, else
        Copies."""
        self.ensure_one()
        return self.next_quantity or self.quantity

    def _plan_copies_on(self, periods):
        """Renewed periods with the planned copies: Copies takes them when such
        a period starts."""
        for period in periods.filtered(lambda p: p.subscription_id.next_quantity):
            period.subscription_id._write_state(
                {"next_quantity_date": period.date_start}
            )

    def _apply_planned_copies(self):
        for subscription in self:
            old = subscription.quantity
            subscription._write_state(
                {
                    "quantity": subscription.next_quantity,
                    "next_quantity": 0,
                    "next_quantity_date": False,
                }
            )
            subscription.message_post(
                body=self.env._(
                    "Copies changed from %(old)s to %(new)s as planned.",
                    old=old,
                    new=subscription.quantity,
                )
            )

    @api.model
    def _planned_copies_domain(self, today):
        return Domain(
            [
                ("next_quantity", ">", 0),
                ("next_quantity_date", "<=", today),
                ("state", "in", OPEN_STATES),
            ]
        )
