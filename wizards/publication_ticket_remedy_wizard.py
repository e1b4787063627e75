from odoo import api, fields, models
from odoo.exceptions import UserError


class PublicationTicketRemedyWizard(models.TransientModel):
    """Remedies of a complaint that need an answer: copies to send again, or a
    date to move, pause or cancel. Each reuses the subscription's own logic and
    is written on both chatters."""

    _name = "publication.ticket.remedy.wizard"
    _description = "Complaint Remedy"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    subscription_id = fields.Many2one(related="ticket_id.subscription_id")
    remedy = fields.Selection(
        [
            ("resend", "Send Issue Again"),
            ("address", "Change Delivery Address"),
            ("pause", "Pause Delivery"),
            ("cancel", "Cancel Subscription"),
        ],
        required=True,
        readonly=True,
    )
    date_from = fields.Date(
        string="From", required=True, default=fields.Date.context_today
    )
    date_to = fields.Date(string="To")
    address_id = fields.Many2one(
        "res.partner",
        string="New Delivery Address",
        compute="_compute_address_id",
        store=True,
        readonly=False,
    )
    issue_id = fields.Many2one(related="ticket_id.issue_id")
    quantity = fields.Integer(
        string="Copies",
        compute="_compute_quantity",
        store=True,
        readonly=False,
        help="Copies of the issue to send again; the subscription's copies by default.",
    )
    reason = fields.Char()
    churn_reason_id = fields.Many2one("publication.churn.reason")

    @api.depends("ticket_id")
    def _compute_address_id(self):
        for wizard in self:
            wizard.address_id = wizard.subscription_id.delivery_address_id

    @api.depends("ticket_id")
    def _compute_quantity(self):
        for wizard in self:
            wizard.quantity = wizard.subscription_id.quantity or 1

    def _required(self, field):
        if not self[field]:
            raise UserError(
                self.env._(
                    "%(field)s is required to %(remedy)s.",
                    field=self._fields[field].get_description(self.env)["string"],
                    remedy=dict(self._fields["remedy"].selection)[self.remedy].lower(),
                )
            )

    def _check_quantity(self):
        if self.quantity < 1:
            raise UserError(
                self.env._(
                    "Copies must be at least 1 to send the issue again, not "
                    "%(quantity)s.",
                    quantity=self.quantity,
                )
            )

    def action_apply(self):
        self.ensure_one()
        ticket = self.ticket_id
        if self.remedy == "resend":
            self._check_quantity()
            ticket._resend_issue(self.quantity)
            return {"type": "ir.actions.act_window_close"}
        ticket._check_remedy()
        subscription = ticket.subscription_id
        origin = self.env._("ticket %(ticket)s", ticket=ticket.number)
        payer_date = subscription.payer_id._publication_format_date
        reason = f"{self.reason} ({origin})" if self.reason else origin
        if self.remedy == "address":
            self._required("address_id")
            body = subscription._change_delivery_address(
                self.address_id, self.date_from, reason
            )
        elif self.remedy == "pause":
            self._required("date_to")
            pause = subscription._pause(self.date_from, self.date_to, reason)
            body = self.env._(
                "Delivery of %(subscription)s paused from %(start)s to %(end)s; it "
                "now ends on %(new_end)s.",
                subscription=subscription.name,
                start=payer_date(pause.date_from),
                end=payer_date(pause.date_to),
                new_end=payer_date(pause.new_date_end),
            )
        else:
            self._required("churn_reason_id")
            refunds_before = subscription.sudo().period_ids.refund_id
            subscription._cancel(self.date_from, self.churn_reason_id, reason)
            refund = subscription.sudo().period_ids.refund_id - refunds_before
            if subscription.date_cancel_planned:
                body = self.env._(
                    "Cancellation of %(subscription)s planned after %(date)s "
                    "(%(churn)s): delivered until then, the rest credited then.",
                    subscription=subscription.name,
                    date=payer_date(subscription.date_cancel_planned),
                    churn=self.churn_reason_id.name,
                )
            else:
                body = self.env._(
                    "Subscription %(subscription)s cancelled after %(date)s "
                    "(%(churn)s); credit note: %(refund)s.",
                    subscription=subscription.name,
                    date=payer_date(self.date_from),
                    churn=self.churn_reason_id.name,
                    refund=", ".join(refund.mapped("name")) or "-",
                )
            subscription.message_post(body=body)
        ticket._remedy_done(body)
        return {"type": "ir.actions.act_window_close"}
