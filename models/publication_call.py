from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from .publication_subscription.publication_subscription import OPEN_STATES

_lt = LazyTranslate(__name__)

CALL_RESULTS = [
    ("todo", "To Call"),
    ("reached", "Reached"),
    ("not_reached", "Not Reached"),
    ("callback", "Call Back"),
    ("sold", "Sold"),
    ("refused", "Refused"),
    ("do_not_call", "Do Not Call"),
]
# the seller spoke with the reader
REACHED_RESULTS = ("reached", "callback", "sold", "refused", "do_not_call")
# the call is over: its result is not changed any more
FINAL_RESULTS = ("sold", "refused", "do_not_call")


class PublicationCall(models.Model):
    """One reader of a call list to call, assigned to a seller, and what
    came of the call."""

    _name = "publication.call"
    _description = "Sales Call"
    _inherit = ["publication.guarded.mixin"]
    _order = "callback_date, id"
    _rec_name = "partner_id"
    _check_company_auto = True
    _guarded_fields = ("result", "date", "subscription_id")
    _initial_state = "todo"
    _guarded_message = _lt(
        "%(field)s of a call is recorded with the result buttons, not set to "
        "%(value)s by hand."
    )

    call_list_id = fields.Many2one(
        "publication.call.list", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="call_list_id.company_id", store=True, index=True, precompute=True
    )
    campaign_id = fields.Many2one(
        related="call_list_id.campaign_id", store=True, index=True
    )
    plan_id = fields.Many2one(related="call_list_id.plan_id", string="Offer")
    partner_id = fields.Many2one(
        "res.partner", string="Reader", required=True, index=True, check_company=True
    )
    phone = fields.Char(related="partner_id.phone")
    do_not_call = fields.Boolean(
        related="partner_id.publication_do_not_call", string="Do Not Call"
    )
    user_id = fields.Many2one("res.users", string="Seller", index=True)
    result = fields.Selection(
        CALL_RESULTS, default="todo", required=True, index=True, readonly=True
    )
    date = fields.Datetime(string="Called On", readonly=True)
    callback_date = fields.Datetime(
        string="Call Back At", help="When the reader asked to be called back."
    )
    note = fields.Text(string="Notes")
    subscription_id = fields.Many2one(
        "publication.subscription",
        string="Subscription Sold",
        readonly=True,
        index="btree_not_null",
    )
    history_ids = fields.Many2many(
        "publication.subscription",
        compute="_compute_reader_history",
        string="Subscription History",
        help="The subscriptions the reader received or paid for.",
    )
    open_ticket_count = fields.Integer(
        compute="_compute_reader_history",
        string="Open Complaints",
        help="The reader's complaints not closed yet.",
    )

    _one_call_per_list = models.Constraint(
        "UNIQUE(call_list_id, partner_id)",
        "A reader is called once per call list.",
    )

    @api.depends("partner_id")
    def _compute_reader_history(self):
        """The reader's subscriptions and open complaints (of the reader or
        their company), read as the superuser: a seller sees them on the
        call, not in the subscription or helpdesk menus."""
        Subscription = self.env["publication.subscription"].sudo()
        tickets = dict(
            self.env["helpdesk.ticket"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("stage_id.closed", "=", False),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for call in self:
            partner = call.partner_id
            call.history_ids = (
                Subscription.search(
                    [
                        "|",
                        ("recipient_id", "=", partner.id),
                        ("payer_id", "=", partner.id),
                    ]
                ).sudo(False)
                if partner
                else False
            )
            call.open_ticket_count = tickets.get(partner, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_guarded_fields(vals, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_guarded_fields(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Results
    # ------------------------------------------------------------------
    def _record_result(self, result, **vals):
        """Write the result of the calls (the seller's right to write them
        is checked), unless a final one was recorded already."""
        final = self.filtered(lambda c: c.result in FINAL_RESULTS)
        if final:
            raise UserError(
                self.env._(
                    "The call to %(reader)s is over (%(result)s): its result "
                    "cannot be changed.",
                    reader=final[0].partner_id.display_name,
                    result=dict(
                        self._fields["result"]._description_selection(self.env)
                    )[final[0].result],
                )
            )
        self._write_state({"result": result, "date": fields.Datetime.now(), **vals})
        return True

    def action_reached(self):
        return self._record_result("reached")

    def action_not_reached(self):
        return self._record_result("not_reached")

    def action_refused(self):
        return self._record_result("refused")

    def action_callback(self):
        missing = self.filtered(lambda c: not c.callback_date)
        if missing:
            raise UserError(
                self.env._(
                    "Call Back At is empty for the call to %(reader)s: say when "
                    "to call back.",
                    reader=missing[0].partner_id.display_name,
                )
            )
        return self._record_result("callback")

    def action_do_not_call(self):
        """The reader asks not to be called again: the reader is marked Do
        Not Call (and their number blacklisted), their calls not made yet in
        other lists are withdrawn."""
        self._record_result("do_not_call")
        partners = self.partner_id
        partners._publication_set_do_not_call()
        self.sudo().search(
            [("partner_id", "in", partners.ids), ("result", "=", "todo")]
        ).unlink()
        return True

    def action_sold(self):
        """Sold: the reader is subscribed to the call list's offer (reader
        and payer), attributed to its campaign by phone, and confirmed, which
        invoices the first period, in one step. A reader at the end of a
        trial that converts to the offer goes on from the trial instead."""
        self.ensure_one()
        self.check_access("write")
        if self.result in FINAL_RESULTS:
            return self._record_result("sold")  # refused with the message
        trial = self._trial_to_convert()
        if trial:
            subscription = trial._convert_trial()
            subscription.write(self._attribution())
            notification = True
        else:
            subscription = (
                self.env["publication.subscription"]
                .sudo()
                .create(self._prepare_subscription())
            )
            notification = subscription.action_confirm()
        self._record_result("sold", subscription_id=subscription.id)
        subscription.message_post(
            body=self.env._(
                "Sold by %(seller)s on a call of %(list)s.",
                seller=self.env.user.name,
                list=self.call_list_id.name,
            )
        )
        return notification

    def _trial_to_convert(self):
        """The reader's open trial of the offer's publication, at its end,
        whose offer converts to the call list's offer (as the superuser)."""
        self.ensure_one()
        plan = self.call_list_id.plan_id
        trials = (
            self.env["publication.subscription"]
            .sudo()
            .search(
                [
                    ("recipient_id", "=", self.partner_id.id),
                    ("publication_id", "=", plan.publication_id.id),
                    ("state", "in", OPEN_STATES),
                    ("plan_id.conversion_plan_id", "=", plan.id),
                ]
            )
        )
        return trials.filtered(lambda t: t._convertible_online())[:1]

    def _attribution(self):
        """The campaign, medium and seller of a sale."""
        return {
            "campaign_id": self.call_list_id.campaign_id.id,
            "medium_id": self.env.ref("utm.utm_medium_phone").id,
            "user_id": self.user_id.id or self.env.uid,
        }

    def _prepare_subscription(self):
        """The subscription a sale creates: the call list's offer to the
        reader, who pays, from today, attributed to the campaign by phone."""
        self.ensure_one()
        plan = self.call_list_id.plan_id
        partner = self.partner_id
        open_ones = (
            self.env["publication.subscription"]
            .sudo()
            .search_count(
                [
                    ("recipient_id", "=", partner.id),
                    ("publication_id", "=", plan.publication_id.id),
                    ("state", "in", OPEN_STATES),
                ]
            )
        )
        if open_ones:
            raise UserError(
                self.env._(
                    "%(reader)s already has an open subscription to "
                    "%(publication)s: it cannot be sold again.",
                    reader=partner.display_name,
                    publication=plan.publication_id.name,
                )
            )
        return {
            "recipient_id": partner.id,
            "payer_id": partner.id,
            "publication_id": plan.publication_id.id,
            "plan_id": plan.id,
            "date_start": self.company_id._publication_today(),
        } | self._attribution()
