from datetime import timedelta
from math import ceil

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from .publication_issue import DELIVERY_METHODS
from .publication_subscription_plan import RENEWAL_TYPES

OPEN_STATES = ("waiting", "active", "suspended")
FREE_ORIGINS = ("member", "trial")
PAID_BY_OTHERS = ("gift", "sponsored")
CLOSED_STATES = ("expired", "cancelled")
FAILURE_SUMMARY = "Renewal automation failed"
WINBACK_WINDOW_DAYS = 30
LOCKED_FIELDS = ("recipient_id", "publication_id", "plan_id", "date_start")


class PublicationSubscription(models.Model):
    _name = "publication.subscription"
    _description = "Subscription"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

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
    churn_reason_id = fields.Many2one(
        "publication.churn.reason", copy=False, tracking=True
    )
    churn_note = fields.Text(copy=False)
    is_gift = fields.Boolean(compute="_compute_is_gift", precompute=True, store=True)
    period_ids = fields.One2many(
        "publication.subscription.period", "subscription_id", string="Periods"
    )
    pause_ids = fields.One2many(
        "publication.subscription.pause", "subscription_id", string="Pauses"
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    note = fields.Html()
    next_delivery_address_id = fields.Many2one(
        "res.partner",
        copy=False,
        readonly=True,
        help="Planned move: becomes the delivery address on the date below.",
    )
    next_delivery_address_date = fields.Date(
        string="Moves On", copy=False, readonly=True
    )
    ticket_ids = fields.One2many(
        "helpdesk.ticket", "subscription_id", string="Complaints"
    )
    reminder_days_sent = fields.Integer(
        string="Reminded (days before end)",
        copy=False,
        readonly=True,
        help="Days before the end of the most urgent renewal reminder sent for "
        "the current term; 0 when none was sent.",
    )
    renewal_event_ids = fields.One2many(
        "publication.renewal.event", "subscription_id", string="Renewal Events"
    )
    automation_error = fields.Text(
        copy=False,
        readonly=True,
        help="Why the last scheduled renewal step failed; cleared when it succeeds.",
    )
    automation_error_date = fields.Datetime(copy=False, readonly=True)
    amount_due = fields.Monetary(
        compute="_compute_amount_due", help="Unpaid amount of its invoices."
    )

    _one_open_per_address = models.UniqueIndex(
        "(recipient_id, publication_id, delivery_address_id) "
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

    @api.depends("price_unit", "quantity")
    def _compute_amount(self):
        for subscription in self:
            subscription.amount = subscription.price_unit * subscription.quantity

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

    @api.depends("recipient_id", "payer_id")
    def _compute_is_gift(self):
        for subscription in self:
            subscription.is_gift = subscription.payer_id != subscription.recipient_id

    def _compute_invoice_count(self):
        counts = dict(
            self.env["publication.subscription.period"]._read_group(
                [("subscription_id", "in", self.ids), ("invoice_id", "!=", False)],
                ["subscription_id"],
                ["invoice_id:count_distinct"],
            )
        )
        for subscription in self:
            subscription.invoice_count = counts.get(subscription, 0)

    def _compute_amount_due(self):
        periods = (
            self.env["publication.subscription.period"]
            .sudo()
            .search(
                [
                    ("subscription_id", "in", self.ids),
                    ("payment_state", "in", ("not_paid", "partial")),
                ]
            )
        )
        due = {}
        for period in periods:
            due.setdefault(period.subscription_id.id, set()).add(period.invoice_id)
        for subscription in self:
            invoices = due.get(subscription.id, set())
            subscription.amount_due = sum(i.amount_residual for i in invoices)

    def _invoice_to_pay_online(self):
        """The invoice a payer opens from a reminder's link: the unpaid one, or
        that of the next period for a subscription to renew."""
        self.ensure_one()
        unpaid = self._unpaid_invoice()
        if not unpaid and self._renewable_online():
            return self.sudo()._renew().invoice_id
        return unpaid

    def _renewable_online(self):
        """A paying subscriber may renew from the link; trials, member copies
        and free copies renew with a person."""
        self.ensure_one()
        return (
            self.state in ("active", "suspended")
            and not self._is_free()
            and self.amount
        )

    def _unpaid_invoice(self):
        self.ensure_one()
        unpaid = self.sudo().period_ids.filtered(
            lambda p: p.payment_state in ("not_paid", "partial")
        )
        return unpaid.sorted("date_start")[-1:].invoice_id

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for subscription in self:
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
                        end=subscription.date_end,
                        start=subscription.date_start,
                        name=subscription.name,
                    )
                )

    @api.constrains("quantity")
    def _check_quantity(self):
        for subscription in self:
            if subscription.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "Copies of subscription %(name)s must be at least 1, not "
                        "%(value)s.",
                        name=subscription.name,
                        value=subscription.quantity,
                    )
                )

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
        one delivery address (also checked by a unique index)."""
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
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("publication.subscription")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        locked = set(LOCKED_FIELDS) & set(vals)
        if locked and any(s.state != "draft" for s in self):
            field = self._fields[min(locked)].get_description(self.env)["string"]
            raise UserError(
                self.env._(
                    "%(field)s of a confirmed subscription cannot be changed; cancel "
                    "it and create a new one.",
                    field=field,
                )
            )
        return super().write(vals)

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
            subscriptions.state = state
        periods = self.env["publication.subscription.period"].create(
            [s._prepare_period(s.date_start) for s in self]
        )
        periods.filtered(lambda p: p.amount)._create_invoices()
        return True

    def _prepare_period(self, start):
        self.ensure_one()
        end = self.date_end if start == self.date_start else self._period_end(start)
        return {
            "subscription_id": self.id,
            "date_start": start,
            "date_end": end,
            "amount": 0.0 if self._is_free() else self.amount,
        }

    def _state_after_confirm(self):
        self.ensure_one()
        if self._is_free() or not self.amount or self.publication_id.payment_grace_days:
            return "active"
        return "waiting"

    def _on_invoice_paid(self):
        """Payment received: deliveries start (or resume)."""
        to_activate = self.filtered(lambda s: s.state in ("waiting", "suspended"))
        to_activate.state = "active"
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
        """Stop delivery after date_cancel and credit what is not delivered."""
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
                    date=date_cancel,
                    names=", ".join(early.mapped("name")),
                )
            )
        started.period_ids._credit_after(date_cancel)
        self.write(
            {
                "state": "cancelled",
                "date_cancel": date_cancel,
                "churn_reason_id": churn_reason.id,
                "churn_note": note,
            }
        )
        for subscription in started:
            if subscription.date_end > date_cancel:
                subscription.date_end = max(date_cancel, subscription.date_start)

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
        new_end = self._end_after_pause(date_from, date_to)
        pause = self.env["publication.subscription.pause"].create(
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
        self.message_post(
            body=self.env._(
                "Delivery paused from %(start)s to %(end)s; the subscription now ends "
                "on %(new_end)s.",
                start=date_from,
                end=date_to,
                new_end=new_end,
            )
        )
        return pause

    def _move_end(self, new_end):
        """Deliver until new_end: the last period ends then too."""
        self.ensure_one()
        last_period = self.period_ids.filtered(lambda p: p.date_end == self.date_end)
        last_period.date_end = new_end
        if new_end > self.date_end:
            self.reminder_days_sent = 0  # the reminders count from the new end
        self.date_end = new_end

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

    # ------------------------------------------------------------------
    # Renewal
    # ------------------------------------------------------------------
    def _compute_access_url(self):
        for subscription in self:
            subscription.access_url = f"/publication/renew/{subscription.id}"

    def action_renew(self):
        """Renew now: the next period and its invoice (for a fixed term, when
        the subscriber accepts the renewal offer)."""
        not_open = self.filtered(lambda s: s.state not in ("active", "suspended"))
        if not_open:
            raise UserError(
                self.env._(
                    "Only active or suspended subscriptions can be renewed: %(names)s.",
                    names=", ".join(not_open.mapped("name")),
                )
            )
        return self._renew()

    def _renew(self):
        """Open the next period of each subscription whose current period has
        started, invoice it and move the end. Returns the new periods."""
        today = fields.Date.context_today(self)
        due = self.filtered(lambda s: s._current_period().date_start <= today)
        periods = self.env["publication.subscription.period"].create(
            [s._prepare_period(s.date_end + timedelta(days=1)) for s in due]
        )
        periods.filtered("amount")._create_invoices()
        for date_end, renewed in periods.grouped("date_end").items():
            renewed.subscription_id.write(
                {"date_end": date_end, "reminder_days_sent": 0}
            )
        self.env["publication.renewal.event"].sudo().create(
            [
                {
                    "subscription_id": period.subscription_id.id,
                    "period_id": period.id,
                    "kind": "renewal",
                    "invoice_id": period.invoice_id.id,
                }
                for period in periods
            ]
        )
        return periods

    def _current_period(self):
        self.ensure_one()
        return self.period_ids.sorted("date_start")[-1:]

    def action_switch_to_continuous(self):
        """One click: renew automatically from now on."""
        fixed = self.filtered(lambda s: s.renewal_type == "fixed")
        fixed.renewal_type = "continuous"
        for subscription in fixed:
            subscription.message_post(
                body=self.env._(
                    "Switched to continuous: the subscription renews automatically "
                    "on %(date)s.",
                    date=subscription.date_end + timedelta(days=1),
                )
            )
        return True

    def _expire(self):
        """Close subscriptions whose end passed without a paid renewal."""
        not_renewed = self.env.ref("publication_crm.churn_reason_not_renewed")
        self.write({"state": "expired", "churn_reason_id": not_renewed.id})
        self._log_events("expiry")

    # ------------------------------------------------------------------
    # Reminders and offers
    # ------------------------------------------------------------------
    def _send_renewal_reminder(self, step):
        """Send step's e-mail, or ask the salesperson to call sponsors and key
        accounts, and remember that step was sent for the current term."""
        personal = self.filtered(lambda s: s._needs_personal_follow_up())
        (self - personal)._post_template(step.mail_template_id)
        personal._schedule_follow_up()
        (self - personal)._log_events("reminder", step)
        personal._log_events("staff", step)
        self.write({"reminder_days_sent": step.days})

    def _needs_personal_follow_up(self):
        """Sponsors and key accounts renew with a person, not an e-mail."""
        self.ensure_one()
        return self.origin == "sponsored" or self.payer_id.publication_key_account

    def _schedule_follow_up(self):
        """One activity per payer and end date for the salesperson."""
        for (payer, date_end), subscriptions in self.grouped(
            lambda s: (s.payer_id, s.date_end)
        ).items():
            summary = self.env._(
                "Renewal: %(count)s subscription(s) of %(payer)s end on %(date)s",
                count=len(subscriptions),
                payer=payer.display_name,
                date=date_end,
            )
            first = subscriptions[0]
            if first.activity_ids.filtered(
                lambda a, summary=summary: a.summary == summary
            ):
                continue
            first.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=date_end,
                summary=summary,
                note=Markup("<p>%s</p>") % ", ".join(subscriptions.mapped("name")),
                user_id=(first.user_id or self.env.user).id,
            )

    def _send_continuous_offer(self):
        for publication, subscriptions in self.grouped("publication_id").items():
            subscriptions._post_template(publication.conversion_template_id)
        self._log_events("conversion")

    def _send_winback_offer(self):
        """Offer to come back, unless the reader already did."""
        back = self._with_open_subscription_elsewhere()
        for publication, subscriptions in (
            (self - back).grouped("publication_id").items()
        ):
            subscriptions._post_template(publication.winback_template_id)
        self._log_events("winback")

    def _with_open_subscription_elsewhere(self):
        others = self.search(
            [
                ("id", "not in", self.ids),
                ("state", "in", OPEN_STATES),
                ("recipient_id", "in", self.recipient_id.ids),
            ]
        )
        open_keys = {(s.recipient_id, s.publication_id) for s in others}
        return self.filtered(lambda s: (s.recipient_id, s.publication_id) in open_keys)

    def _post_template(self, template):
        """Post template on each subscription's chatter for its payer; the
        e-mails go out through the mail queue, after the commit."""
        if not self or not template:
            return
        subscriptions = self.with_context(mail_notify_force_send=False)
        rendered = template._generate_template(
            subscriptions.ids, ("subject", "body_html")
        )
        for subscription in subscriptions:
            subscription.message_post(
                body=rendered[subscription.id]["body_html"],
                subject=rendered[subscription.id]["subject"],
                partner_ids=subscription.payer_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )

    def _log_events(self, kind, step=None):
        self.env["publication.renewal.event"].sudo().create(
            [
                {
                    "subscription_id": subscription.id,
                    "period_id": subscription._current_period().id,
                    "step_id": step.id if step else False,
                    "kind": kind,
                }
                for subscription in self
            ]
        )

    # ------------------------------------------------------------------
    # What is due (used by publication.automation)
    # ------------------------------------------------------------------
    @api.model
    def _renewal_reminder_domain(self, step, today):
        return Domain(
            [
                ("publication_id", "=", step.publication_id.id),
                ("state", "in", ("active", "suspended")),
                ("renewal_type", "=", "fixed"),
                ("origin", "not in", FREE_ORIGINS),
                ("plan_id.is_trial", "=", False),
                ("amount", ">", 0),
                ("date_end", ">=", today),
                ("date_end", "<=", today + timedelta(days=step.days)),
                "|",
                ("reminder_days_sent", "=", 0),
                ("reminder_days_sent", ">", step.days),
            ]
        )

    @api.model
    def _continuous_offer_domain(self, publications, today):
        publications = publications.filtered("conversion_template_id")
        return Domain(
            [
                ("state", "=", "active"),
                ("renewal_type", "=", "fixed"),
                ("plan_id.offer_continuous", "=", True),
                ("date_end", ">=", today),
                ("renewal_event_ids", "not any", [("kind", "=", "conversion")]),
            ]
        ) & self.env["publication.automation"]._cutoff_domain(
            publications,
            "date_end",
            lambda p: today + timedelta(days=p.renewal_notice_days),
        )

    @api.model
    def _auto_renewal_domain(self, publications, today):
        return Domain(
            [("state", "=", "active"), ("renewal_type", "=", "continuous")]
        ) & self.env["publication.automation"]._cutoff_domain(
            publications,
            "date_end",
            lambda p: today + timedelta(days=p.renewal_lead_days),
        )

    @api.model
    def _expiry_domain(self, publications, today):
        """Open subscriptions past their end and grace, except active
        continuous ones: those are renewed (a failing renewal shows in Renewal
        Failures, it does not churn a paying subscriber)."""
        return (
            Domain("state", "in", OPEN_STATES)
            & ~(
                Domain("state", "=", "active")
                & Domain("renewal_type", "=", "continuous")
            )
        ) & self.env["publication.automation"]._cutoff_domain(
            publications,
            "date_end",
            lambda p: today - timedelta(days=p.expiry_grace_days + 1),
        )

    @api.model
    def _winback_domain(self, publications, today):
        """Expired since the publication's win-back delay, but not so long ago
        that the offer would come out of the blue."""
        return Domain(
            [
                ("state", "=", "expired"),
                ("renewal_event_ids", "not any", [("kind", "=", "winback")]),
            ]
        ) & Domain.OR(
            [
                Domain("publication_id", "=", publication.id)
                & Domain("date_end", "<=", today - timedelta(publication.winback_days))
                & Domain(
                    "date_end",
                    ">",
                    today - timedelta(publication.winback_days + WINBACK_WINDOW_DAYS),
                )
                for publication in publications
            ]
        )

    # ------------------------------------------------------------------
    # Failures of the automation
    # ------------------------------------------------------------------
    def _automation_subscriptions(self):
        return self

    def _record_automation_error(self, step, error):
        """Show the failure on the subscription: its field, one chatter note
        and one activity, however often the step fails again."""
        self.ensure_one()
        message = f"{step}: {error}"
        if self.automation_error != message:
            self.message_post(
                body=self.env._("Renewal automation failed: %(error)s", error=message)
            )
        self.write(
            {
                "automation_error": message,
                "automation_error_date": fields.Datetime.now(),
            }
        )
        if not self.activity_ids.filtered(lambda a: a.summary == FAILURE_SUMMARY):
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=FAILURE_SUMMARY,
                note=message,
                user_id=(self.user_id or self.env.user).id,
            )

    def _clear_automation_error(self):
        failed = self.filtered("automation_error")
        if not failed:
            return
        failed.write({"automation_error": False, "automation_error_date": False})
        failed.activity_ids.filtered(
            lambda a: a.summary == FAILURE_SUMMARY
        ).action_feedback(feedback=self.env._("The step succeeded."))

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
                new_end=new_end,
                old_end=previous_end,
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
                date=date_from,
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
                date=date_from,
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
