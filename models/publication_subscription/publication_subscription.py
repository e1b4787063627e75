from datetime import timedelta
from math import ceil

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

from ...utils.input_bounds import check_vals
from ..publication_issue.publication_issue import DELIVERY_METHODS
from ..publication_subscription_plan import RENEWAL_TYPES

_lt = LazyTranslate(__name__)

OPEN_STATES = ("waiting", "active", "suspended")
FREE_ORIGINS = ("member", "trial")
PAID_BY_OTHERS = ("gift", "sponsored")
CLOSED_STATES = ("expired", "cancelled")
LOCKED_FIELDS = (
    "recipient_id",
    "publication_id",
    "plan_id",
    "origin",
    "date_start",
    "digital_addon",
)
# changed only by the business methods (confirm, payment, suspend, resume,
# cancel, expire), through _write_state; amount is computed only
STATE_FIELDS = (
    "state",
    "date_cancel",
    "date_cancel_planned",
    "amount",
    "next_quantity",
    "next_quantity_date",
    "converted_subscription_id",
    "gift_subscription_id",
    "reminder_days_sent",
    "next_plan_id",
    "next_discount",
    "confirmation_pending",
    "payment_token_id",
    "card_failure_reason",
    "card_failure_date",
)


class PublicationSubscription(models.Model):
    _name = "publication.subscription"
    _description = "Subscription"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "publication.automation.mixin",
        "utm.mixin",
        "publication.guarded.mixin",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _guarded_fields = STATE_FIELDS
    # of a confirmed subscription: moved only by renewal, pause, extension and
    # cancellation, through _write_state
    _guarded_confirmed_fields = ("date_end",)
    # set by hand by Publication Managers only; others get them from the offer
    _manager_fields = ("price_unit",)
    _guarded_message = _lt(
        "%(field)s of a subscription changes only through its actions "
        "(Confirm, Renew, Pause, Cancel, payment of its invoice), not "
        "to %(value)s by hand."
    )
    _manager_message = _lt(
        "Only a Publication Manager can set %(field)s by hand "
        "(%(value)s instead of the offer's price)."
    )

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    recipient_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        help="Receives the copies.",
    )
    payer_id = fields.Many2one(
        "res.partner",
        compute="_compute_payer_id",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
        index=True,
        tracking=True,
        help="Receives the invoices; another person for gifts and sponsored copies.",
    )
    delivery_address_id = fields.Many2one(
        "res.partner",
        compute="_compute_delivery_address_id",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
        tracking=True,
    )
    route_id = fields.Many2one(
        "publication.route",
        compute="_compute_route_id",
        precompute=True,
        store=True,
        readonly=False,
        index=True,
        check_company=True,
        help="Found from the postal code of the delivery address; can be changed.",
    )
    delivery_method = fields.Selection(
        DELIVERY_METHODS,
        compute="_compute_delivery_method",
        precompute=True,
        store=True,
    )
    publication_id = fields.Many2one(
        "publication.publication", required=True, index=True, tracking=True
    )
    plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Offer",
        required=True,
        tracking=True,
        check_company=True,
        domain="[('publication_id', '=', publication_id)]",
    )
    company_id = fields.Many2one(
        related="publication_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", default=lambda self: self.env.user
    )
    quantity = fields.Integer(string="Copies", default=1, required=True, tracking=True)
    price_unit = fields.Monetary(
        string="Price per Copy",
        compute="_compute_price_unit",
        precompute=True,
        store=True,
        readonly=False,
        help="Price of one copy for one period, untaxed.",
    )
    amount = fields.Monetary(
        string="Period Amount", compute="_compute_amount", precompute=True, store=True
    )
    renewal_type = fields.Selection(
        RENEWAL_TYPES,
        compute="_compute_renewal_type",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
        tracking=True,
    )
    origin = fields.Selection(
        [
            ("new", "New"),
            ("renewal", "Renewal"),
            ("gift", "Gift"),
            ("sponsored", "Sponsored"),
            ("member", "Member"),
            ("trial", "Trial"),
        ],
        required=True,
        default="new",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("waiting", "Awaiting Payment"),
            ("active", "Active"),
            ("suspended", "Suspended"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
        group_expand=True,
    )
    date_start = fields.Date(
        string="Start",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_end = fields.Date(
        string="End",
        compute="_compute_date_end",
        precompute=True,
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        copy=False,
    )
    date_cancel = fields.Date(string="Cancelled On", copy=False, readonly=True)
    date_cancel_planned = fields.Date(
        string="Cancellation Planned On",
        copy=False,
        readonly=True,
        help="Last day of delivery of a cancellation dated in the future: until "
        "then the subscription is delivered, reminded of payment and remedied as "
        "usual; a scheduled action cancels it on that day and credits the rest.",
    )
    churn_reason_id = fields.Many2one(
        "publication.churn.reason", copy=False, tracking=True
    )
    churn_note = fields.Text(copy=False, groups="base.group_user")
    is_gift = fields.Boolean(compute="_compute_is_gift", precompute=True, store=True)
    gift_subscription_id = fields.Many2one(
        "publication.subscription",
        string="Continues Gift",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The gift or sponsored copy whose reader took this subscription at "
        "their own cost, to go on after it.",
    )
    period_ids = fields.One2many(
        "publication.subscription.period", "subscription_id", string="Periods"
    )
    pause_ids = fields.One2many(
        "publication.subscription.pause", "subscription_id", string="Pauses"
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    note = fields.Html(groups="base.group_user")
    ticket_ids = fields.One2many(
        "helpdesk.ticket", "subscription_id", string="Complaints"
    )
    amount_due = fields.Monetary(
        compute="_compute_amount_due",
        groups="base.group_user",
        help="Unpaid amount of its invoices.",
    )
    import_ref = fields.Char(
        string="Old System Reference",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Reference of the subscriber in the register it was imported from: "
        "a corrected file updates the subscription found by it.",
    )

    # the reader's own subscription that follows a gift is open with the gift
    # (it starts after it, see _check_gift_conversion_dates)
    _one_open_per_address = models.UniqueIndex(
        "(recipient_id, publication_id, delivery_address_id, "
        "(gift_subscription_id IS NOT NULL)) "
        "WHERE state IN ('waiting', 'active', 'suspended')",
        "A recipient has one open subscription per publication and delivery "
        "address; raise its number of copies instead.",
    )
    _print_run_idx = models.Index("(publication_id, date_start, date_end)")
    _renewal_due_idx = models.Index(
        "(publication_id, date_end) WHERE state IN ('waiting', 'active', 'suspended')"
    )

    @api.depends("recipient_id")
    def _compute_payer_id(self):
        """The recipient pays, unless the copy is a gift or sponsored."""
        for subscription in self:
            if not subscription.payer_id or subscription.origin not in PAID_BY_OTHERS:
                subscription.payer_id = subscription.recipient_id

    @api.depends("recipient_id")
    def _compute_delivery_address_id(self):
        for subscription in self:
            recipient = subscription.recipient_id
            subscription.delivery_address_id = (
                recipient.address_get(["delivery"])["delivery"] if recipient else False
            )

    @api.depends(
        "delivery_address_id.zip",
        "delivery_address_id.country_id",
        "plan_id.channel",
        "company_id",
    )
    def _compute_route_id(self):
        """Route of the delivery address; closed subscriptions keep their route,
        so that a later move of the subscriber does not rewrite past print runs."""
        closed = self.filtered(lambda s: s.state in CLOSED_STATES)
        todo = (self - closed).filtered(
            lambda s: s.delivery_address_id and s.company_id
        )
        keys = {
            s: (s.delivery_address_id, s.company_id, s.plan_id.channel == "digital")
            for s in todo
        }
        routes = self.env["publication.route"]._find_for_addresses(set(keys.values()))
        for subscription in self - closed:
            key = keys.get(subscription)
            subscription.route_id = routes[key] if key else False
        for subscription in closed:
            subscription.route_id = subscription.route_id

    @api.depends("route_id.delivery_method", "plan_id.channel")
    def _compute_delivery_method(self):
        for subscription in self:
            if subscription.plan_id.channel == "digital":
                subscription.delivery_method = "digital"
            else:
                subscription.delivery_method = (
                    subscription.route_id.delivery_method or "post"
                )

    @api.depends("plan_id", "origin")
    def _compute_price_unit(self):
        for subscription in self:
            subscription.price_unit = (
                0.0 if subscription._is_free() else subscription.plan_id.price
            )

    @api.depends("price_unit", "digital_addon_price", "quantity")
    def _compute_amount(self):
        """Price per copy and the digital add-on's surcharge, for the copies."""
        for subscription in self:
            subscription.amount = (
                subscription.price_unit + subscription.digital_addon_price
            ) * subscription.quantity

    @api.depends("plan_id")
    def _compute_renewal_type(self):
        for subscription in self:
            subscription.renewal_type = subscription.plan_id.renewal_type or "fixed"

    @api.depends("date_start", "plan_id")
    def _compute_date_end(self):
        for subscription in self:
            if subscription.date_start and subscription.plan_id:
                subscription.date_end = subscription._period_end(
                    subscription.date_start
                )

    @api.depends("recipient_id.commercial_partner_id", "payer_id.commercial_partner_id")
    def _compute_is_gift(self):
        """Paid by someone other than the reader: another person or company
        (a company paying for its own contact's copy is not a gift)."""
        for subscription in self:
            subscription.is_gift = (
                subscription.payer_id.commercial_partner_id
                != subscription.recipient_id.commercial_partner_id
            )

    @api.onchange("recipient_id", "payer_id")
    def _onchange_gift_origin(self):
        """A draft entered by hand with another payer is a gift, as the
        form's Gift ribbon says; back to New when the reader pays again.
        An onchange, not a computed origin: the payer follows the recipient
        unless the origin is a gift (_compute_payer_id), so a computed origin
        would depend on itself through the payer."""
        if self.state != "draft" or not (self.recipient_id and self.payer_id):
            return
        if self.origin == "new" and self.is_gift:
            self.origin = "gift"
        elif self.origin == "gift" and not self.is_gift:
            self.origin = "new"

    def _compute_invoice_count(self):
        moves = self._moves_by_subscription()
        for subscription in self:
            subscription.invoice_count = len(moves.get(subscription.id, ()))

    def _moves_by_subscription(self):
        """Invoices and credit notes of each subscription (ids), one query."""
        lines = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [("publication_period_id.subscription_id", "in", self.ids)],
                ["move_id"],
                ["publication_period_id:array_agg"],
            )
        )
        periods = self.env["publication.subscription.period"].sudo()
        moves = {}
        for move, period_ids in lines:
            for subscription in periods.browse(set(period_ids)).subscription_id:
                moves.setdefault(subscription.id, set()).add(move.id)
        return moves

    def _compute_amount_due(self):
        """Each subscription's share of the residual of its open invoices: on
        an invoice shared by several subscriptions (a sponsor's), the residual
        is shared in proportion to what each one's lines still bill (their
        total less what their credit notes reversing the invoice credit)."""
        Line = self.env["account.move.line"].sudo()
        lines = Line.search(
            [
                ("publication_period_id.subscription_id", "in", self.ids),
                ("move_id.state", "=", "posted"),
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.payment_state", "in", ("not_paid", "partial")),
            ]
        )
        invoices = lines.move_id
        credits = invoices.reversal_move_ids.filtered(lambda m: m.state == "posted")
        credit_lines = credits.invoice_line_ids.filtered("publication_period_id")
        due = {}
        for invoice in invoices:
            reversals = credits.filtered(lambda m, i=invoice: m.reversed_entry_id == i)
            billed = invoice.amount_total - sum(reversals.mapped("amount_total"))
            if invoice.currency_id.is_zero(billed):
                continue
            weights = {}
            for line in invoice.invoice_line_ids.filtered("publication_period_id"):
                key = line.publication_period_id.subscription_id.id
                weights[key] = weights.get(key, 0.0) + line.price_total
            for line in credit_lines.filtered(lambda x, r=reversals: x.move_id in r):
                key = line.publication_period_id.subscription_id.id
                weights[key] = weights.get(key, 0.0) - line.price_total
            for key, weight in weights.items():
                due[key] = due.get(key, 0.0) + invoice.currency_id.round(
                    invoice.amount_residual * weight / billed
                )
        for subscription in self:
            subscription.amount_due = due.get(subscription.id, 0.0)

    def _unpaid_invoice(self):
        self.ensure_one()
        unpaid = self.sudo().period_ids.filtered(
            lambda p: p.payment_state in ("not_paid", "partial")
        )
        return unpaid.sorted("date_start")[-1:].invoice_id

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for subscription in self:
            subscription._check_input_bounds(
                {
                    "date_start": subscription.date_start,
                    "date_end": subscription.date_end,
                }
            )
            if not subscription.date_end and subscription.plan_id:
                raise ValidationError(
                    self.env._(
                        "End of subscription %(name)s is required.",
                        name=subscription.name,
                    )
                )
            if (
                subscription.date_end
                and subscription.date_end < subscription.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "End (%(end)s) of subscription %(name)s is before its Start "
                        "(%(start)s).",
                        end=format_date(self.env, subscription.date_end),
                        start=format_date(self.env, subscription.date_start),
                        name=subscription.name,
                    )
                )

    @api.constrains("quantity")
    def _check_quantity(self):
        for subscription in self:
            subscription._check_input_bounds({"quantity": subscription.quantity})

    @api.constrains("plan_id", "publication_id")
    def _check_plan_publication(self):
        for subscription in self:
            if subscription.plan_id.publication_id != subscription.publication_id:
                raise ValidationError(
                    self.env._(
                        "Offer %(plan)s belongs to %(plan_publication)s, not to "
                        "publication %(publication)s.",
                        plan=subscription.plan_id.name,
                        plan_publication=subscription.plan_id.publication_id.name,
                        publication=subscription.publication_id.name,
                    )
                )

    @api.constrains("recipient_id", "publication_id", "delivery_address_id", "state")
    def _check_duplicate_open(self):
        self.filtered(lambda s: s.state in OPEN_STATES)._raise_if_open_elsewhere()

    def _raise_if_open_elsewhere(self):
        """Refuse a second open subscription of a recipient to a publication at
        one delivery address (also checked by a unique index); the reader's own
        subscription that follows a gift is not a second one."""
        if not self:
            return
        others = self.search(
            [
                ("id", "not in", self.ids),
                ("state", "in", OPEN_STATES),
                ("recipient_id", "in", self.recipient_id.ids),
                ("publication_id", "in", self.publication_id.ids),
            ]
        )
        seen = {}
        for subscription in others | self:
            key = (
                subscription.recipient_id,
                subscription.publication_id,
                subscription.delivery_address_id,
                bool(subscription.gift_subscription_id),
            )
            if key in seen:
                raise ValidationError(
                    self.env._(
                        "Recipient %(recipient)s already has the open subscription "
                        "%(other)s to %(publication)s at this delivery address. "
                        "Raise its Copies instead of adding a subscription.",
                        recipient=subscription.recipient_id.display_name,
                        other=seen[key].name,
                        publication=subscription.publication_id.name,
                    )
                )
            seen[key] = subscription

    @api.model_create_multi
    def create(self, vals_list):
        self._set_gift_origin(vals_list)
        for vals in vals_list:
            self._check_guarded_fields(vals, creating=True)
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("publication.subscription")
                    or "/"
                )
            self._check_input_bounds(vals, vals["name"])
        subscriptions = super().create(vals_list)
        subscriptions._attribute_to_campaigns()
        return subscriptions

    @api.model
    def _set_gift_origin(self, vals_list):
        """Origin Gift for the new subscriptions (origin New or none) paid by
        another person or company than their reader, as is_gift and the form
        (_onchange_gift_origin) say."""
        todo = [
            vals
            for vals in vals_list
            if vals.get("origin", "new") == "new"
            and vals.get("payer_id")
            and vals.get("recipient_id")
        ]
        ids = {vals[name] for vals in todo for name in ("payer_id", "recipient_id")}
        commercial = {
            partner.id: partner.commercial_partner_id
            for partner in self.env["res.partner"].browse(ids)
        }
        for vals in todo:
            if commercial[vals["payer_id"]] != commercial[vals["recipient_id"]]:
                vals["origin"] = "gift"

    def write(self, vals):
        """Copies changed on an open subscription are invoiced, credited or
        planned (see _copies_to_change); other changes are written as they
        come."""
        self._check_input_bounds(vals)
        self._check_guarded_fields(vals)
        self._trigger_access_push(vals)
        locked = set(LOCKED_FIELDS) & set(vals)
        if self.env.su and all(
            s.next_plan_id.id == vals.get("plan_id") for s in self
        ):  # a renewal moving to the next term's offer (a save offer)
            locked.discard("plan_id")
        if locked and any(s.state != "draft" for s in self):
            field = self._field_label(min(locked))
            raise UserError(
                self.env._(
                    "%(field)s of a confirmed subscription cannot be changed; cancel "
                    "it and create a new one.",
                    field=field,
                )
            )
        changing = self._copies_to_change(vals)
        if not changing:
            return super().write(vals)
        if self - changing:
            super(PublicationSubscription, self - changing).write(vals)
        others = {key: value for key, value in vals.items() if key != "quantity"}
        if others:
            super(PublicationSubscription, changing).write(others)
        changing._change_copies(vals["quantity"])
        return True

    def _check_input_bounds(self, vals, name=None):
        """Copies and dates of vals within bounds (see input_bounds): before
        they are written, also over RPC, and by the constraints."""
        copies, dates = ["quantity"], ["date_start", "date_end"]
        if not set(vals) & {*copies, *dates}:
            return
        owner = self.env._(
            "subscription %(name)s", name=name or ", ".join(self.mapped("name"))
        )
        check_vals(self, vals, copies=copies, dates=dates, owner=owner)

    def _manager_value_allowed(self, field, vals):
        """A user sends the price of the offer only (the web client does, with
        a new offer or origin)."""
        return self._is_offer_price(vals)

    def _is_offer_price(self, vals):
        """The price the web client sends with a new offer or origin: the
        offer's (0 for free copies), for a new subscription or each of self."""
        Plan = self.env["publication.subscription.plan"]
        for subscription in self or [self]:
            plan = (
                Plan.browse(vals["plan_id"])
                if "plan_id" in vals
                else subscription.plan_id
            )
            origin = vals.get("origin", subscription.origin)
            price = 0.0 if origin in FREE_ORIGINS or plan.is_trial else plan.price
            if not plan or plan.currency_id.compare_amounts(vals["price_unit"], price):
                return False
        return True

    def _write_state(self, vals):
        """Write a change of state (and what goes with it) for a business
        method: the user's right to write the subscription is still checked;
        the chatter logs the change of all of them at once."""
        self.check_access("write")
        return self.sudo()._write_tracked_in_batch(vals)

    def _write_tracked_in_batch(self, vals):
        """write(vals), the chatter tracking the change as usual, but with the
        messages of all records logged at once instead of one by one at commit
        (the nightly run writes hundreds of subscriptions at a time). Records
        whose tracking is already pending in this transaction are written the
        usual way, so that no change is logged twice."""
        if self.env.context.get("tracking_disable") or self.env.context.get(
            "mail_notrack"
        ):
            return self.write(vals)
        # mail's private record of the tracking pending in the transaction
        # (mail.thread._track_prepare); test_renewal_automation's
        # test_mail_keeps_pending_tracking_where_the_batch_looks fails when
        # mail changes it
        pending = self.env.cr.precommit.data.get(f"mail.tracking.{self._name}", {})
        usual = self.filtered(lambda s: s.id in pending)
        usual.write(vals)
        batch = self - usual
        names = batch._track_get_fields()
        if not names:
            return batch.write(vals)
        before = {s.id: {name: s[name] for name in names} for s in batch}
        batch.with_context(mail_notrack=True).write(vals)
        tracked = batch.fields_get(
            names, attributes=("string", "type", "selection", "currency_field")
        )
        changes = {s: s._mail_track(tracked, before[s.id])[1] for s in batch}
        changed = batch.filtered(lambda s: changes[s])
        messages = changed._message_log_batch({})
        self.env["mail.tracking.value"].sudo().create(
            [
                dict(command[2], mail_message_id=message.id)
                for subscription, message in zip(changed, messages, strict=True)
                for command in changes[subscription]
            ]
        )
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(s.state != "draft" for s in self):
            raise UserError(
                self.env._(
                    "Only draft subscriptions can be deleted; cancel the others."
                )
            )

    def _is_free(self):
        """Member copies and trials are delivered without invoice."""
        self.ensure_one()
        return self.origin in FREE_ORIGINS or self.plan_id.is_trial

    def _period_end(self, start):
        """Last day of a period of this subscription's offer starting on start."""
        self.ensure_one()
        plan = self.plan_id
        if plan.term_unit == "months":
            return start + relativedelta(months=plan.term_length, days=-1)
        issues = self.env["publication.issue"].search(
            [("publication_id", "=", self.publication_id.id), ("date", ">=", start)],
            order="date",
            limit=plan.term_length + 1,
        )
        if len(issues) > plan.term_length:
            return issues[plan.term_length].date - timedelta(days=1)
        days = ceil(plan.term_length * 365 / self.publication_id.issues_per_year)
        return start + timedelta(days=days - 1)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_confirm(self):
        """Open the first period, invoice it to the payer and start delivery."""
        not_draft = self.filtered(lambda s: s.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Only draft subscriptions can be confirmed: %(names)s.",
                    names=", ".join(not_draft.mapped("name")),
                )
            )
        self._raise_if_open_elsewhere()
        for state, subscriptions in self.grouped(
            lambda s: s._state_after_confirm()
        ).items():
            subscriptions._write_state({"state": state})
        periods = self._create_periods([s._prepare_period(s.date_start) for s in self])
        invoices = periods.filtered(lambda p: p.amount)._create_invoices()
        self._write_state({"confirmation_pending": True})
        return self._notify_invoices(invoices)

    def _create_periods(self, vals_list):
        """Periods of the business methods (confirm, renew): their amounts and
        invoices are the add-on's doing, so they are created as the add-on once
        the user's right to write the subscriptions is checked."""
        self.check_access("write")
        Period = self.env["publication.subscription.period"].sudo()
        return Period.create(vals_list).sudo(False)

    def _notify_invoices(self, invoices):
        """Say on each subscription which invoice was created for it (a link);
        returns the notification shown to the user who confirmed."""
        for subscription in self:
            invoice = subscription.sudo().period_ids.invoice_id & invoices
            if invoice:
                text = self.env._("Invoice %(invoice)s created for the payer.")
                subscription.message_post(
                    body=Markup(text) % {"invoice": invoice._get_html_link()}
                )
        if not invoices:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Invoice created: %(invoices)s.",
                    invoices=", ".join(invoices.mapped("name")),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _prepare_period(self, start):
        """The period starting on start: the first one, or a renewal with the
        copies planned for it (_planned_quantity) and the save offer accepted
        for the next term (_next_term_amount)."""
        self.ensure_one()
        quantity = self._planned_quantity()
        if start == self.date_start:
            end = self.date_end
            amount = (
                0.0
                if self._is_free()
                else (self.price_unit + self.digital_addon_price) * quantity
            )
        else:
            end = self._next_period_end(start)
            amount = self._next_term_amount(quantity, start=start)
        return {
            "subscription_id": self.id,
            "date_start": start,
            "date_end": end,
            "quantity": quantity,
            "amount": amount,
        }

    def _next_period_end(self, start):
        """End of the period after the current ones, starting on start.

        Month terms count from the subscription's start (start + n terms), so
        that 31 January + 1 month or 29 February never drift to an earlier day
        of the month; days added to the end by pauses and free extensions
        shift the periods after them by as many days.
        """
        self.ensure_one()
        plan = self.plan_id
        if plan.term_unit != "months":
            return self._period_end(start)
        terms = len(self.period_ids)
        anchor = self.date_start + relativedelta(months=plan.term_length * terms)
        end = self.date_start + relativedelta(months=plan.term_length * (terms + 1))
        return end - timedelta(days=1) + (start - anchor)

    def _state_after_confirm(self):
        self.ensure_one()
        if self._is_free() or not self.amount or self.publication_id.payment_grace_days:
            return "active"
        return "waiting"

    def _on_invoice_paid(self):
        """Payment received: deliveries start (or resume)."""
        to_activate = self.filtered(lambda s: s.state in ("waiting", "suspended"))
        to_activate._write_state({"state": "active"})
        for subscription in to_activate:
            subscription.message_post(
                body=self.env._("Payment received: delivery is active.")
            )

    def action_open_cancel_wizard(self):
        return self._open_wizard(
            "publication.subscription.cancel.wizard",
            self.env._("Cancel Subscription"),
        )

    def action_open_pause_wizard(self):
        self.ensure_one()
        return self._open_wizard(
            "publication.subscription.pause.wizard",
            self.env._("Pause Delivery"),
        )

    def _open_wizard(self, model, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_view_invoices(self):
        self.ensure_one()
        invoices = self.period_ids.invoice_id | self.period_ids.refund_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", invoices.ids)]
        action["context"] = {"create": False}
        return action

    def _cancel(self, date_cancel, churn_reason, note=False):
        """Stop delivery after date_cancel and credit what is not delivered; a
        date in the future plans the cancellation for that day (see
        _plan_cancel). A subscription never delivered (awaiting payment) is
        credited in full."""
        closed = self.filtered(lambda s: s.state in CLOSED_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "Subscriptions %(names)s are already closed.",
                    names=", ".join(closed.mapped("name")),
                )
            )
        if not churn_reason:
            raise UserError(self.env._("Give a churn reason to cancel a subscription."))
        started = self.filtered(lambda s: s.state != "draft")
        early = started.filtered(
            lambda s: date_cancel < s.date_start - timedelta(days=1)
        )
        if early:
            raise UserError(
                self.env._(
                    "Cancellation date %(date)s is before the start of %(names)s.",
                    date=format_date(self.env, date_cancel),
                    names=", ".join(early.mapped("name")),
                )
            )
        later = started.filtered(
            lambda s: (
                date_cancel > s.company_id._publication_today()
                and s.date_end > s.company_id._publication_today()
            )
        )
        later._plan_cancel(date_cancel, churn_reason, note)
        now = self - later
        started = started - later
        never_delivered = started.filtered(lambda s: s.state == "waiting")
        started.period_ids._credit_after(date_cancel)
        now._write_state(
            {
                "state": "cancelled",
                "date_cancel": date_cancel,
                "date_cancel_planned": False,
                "churn_reason_id": churn_reason.id,
                "churn_note": note,
            }
        )
        for subscription in never_delivered:
            subscription._write_state(
                {"date_cancel": subscription.date_start - timedelta(days=1)}
            )
            subscription.message_post(
                body=self.env._(
                    "Cancelled before any delivery (the invoice was not paid): "
                    "the whole term is credited."
                )
            )
        for subscription in started:
            last_day = subscription.date_cancel
            if subscription.date_end > last_day:
                subscription._write_state(
                    {"date_end": max(last_day, subscription.date_start)}
                )

    def _plan_cancel(self, date_cancel, churn_reason, note=False):
        """Cancel on date_cancel (the subscription's end at the latest): until
        then it stays open, delivered, reminded of payment and remedied; it is
        not renewed. The scheduled action of planned changes cancels it then."""
        for subscription in self:
            last_day = min(date_cancel, subscription.date_end)
            subscription._write_state(
                {
                    "date_cancel_planned": last_day,
                    "churn_reason_id": churn_reason.id,
                    "churn_note": note,
                }
            )
            subscription.message_post(
                body=self.env._(
                    "Cancellation planned (%(reason)s): delivered until %(date)s, "
                    "then cancelled and the rest credited.",
                    reason=churn_reason.name,
                    date=subscription.payer_id._publication_format_date(last_day),
                )
            )

    def _apply_planned_cancel(self):
        """Cancel the subscriptions whose planned cancellation day has come."""
        for (day, reason, note), subscriptions in self.grouped(
            lambda s: (s.date_cancel_planned, s.churn_reason_id, s.churn_note)
        ).items():
            subscriptions._cancel(day, reason, note)

    @api.model
    def _planned_cancel_domain(self, today):
        return Domain(
            [
                ("date_cancel_planned", "<=", today),
                ("state", "in", OPEN_STATES),
            ]
        )

    def _raise_if_not_open(self, action):
        for subscription in self:
            if subscription.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "%(action)s needs an open subscription; %(name)s is %(state)s.",
                        action=action,
                        name=subscription.name,
                        state=dict(self._fields["state"].selection)[subscription.state],
                    )
                )
