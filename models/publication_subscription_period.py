from datetime import timedelta
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

from ..utils.input_bounds import check_vals
from .publication_subscription.publication_subscription import OPEN_STATES

_lt = LazyTranslate(__name__)

UNPAID = ("not_paid", "partial")
# a saved card is still charged for the period (publication_subscription_card.py)
CARD_COLLECTING = ("due", "pending")


class Proration(NamedTuple):
    """Part of an invoiced period not delivered: undelivered of total days or
    issues."""

    undelivered: int
    total: int
    unit: str  # "days" or "issues"

    @property
    def fraction(self):
        return self.undelivered / self.total if self.total else 0.0

    def label(self, env):
        """'275 of 365 days (75.3 %)', said on credit note lines."""
        values = {
            "count": self.undelivered,
            "total": self.total,
            "percent": round(self.fraction * 100, 1),
        }
        if self.unit == "issues":
            return env._("%(count)s of %(total)s issues (%(percent)s %%)", **values)
        return env._("%(count)s of %(total)s days (%(percent)s %%)", **values)


class PublicationSubscriptionPeriod(models.Model):
    _name = "publication.subscription.period"
    _description = "Subscription Period"
    _inherit = ["publication.guarded.mixin"]
    _order = "subscription_id, date_start"
    # a Publication User gets periods, their amounts and their invoices from
    # the business methods only (as the add-on), not by hand: a new period
    # without amounts and accounting links, no change once created
    _manager_fields = (
        "amount",
        "date_end_invoiced",
        "invoice_id",
        "invoice_line_id",
        "refund_id",
        "refund_line_id",
        "payment_state",
    )
    _manager_writes_only = True
    _manager_message = _lt(
        "%(field)s of a subscription period is set by its actions "
        "(Confirm, Renew, Cancel) or by a Publication Manager, not to "
        "%(value)s by hand."
    )

    subscription_id = fields.Many2one(
        "publication.subscription", required=True, ondelete="cascade", index=True
    )
    publication_id = fields.Many2one(
        related="subscription_id.publication_id", store=True, index=True
    )
    payer_id = fields.Many2one(related="subscription_id.payer_id", store=True)
    recipient_id = fields.Many2one(related="subscription_id.recipient_id", store=True)
    company_id = fields.Many2one(related="subscription_id.company_id", store=True)
    currency_id = fields.Many2one(related="subscription_id.currency_id")
    date_start = fields.Date(string="Start", required=True)
    date_end = fields.Date(
        string="End",
        required=True,
        help="Last day of delivery; later than Invoiced Until when a pause or a "
        "free extension moved it.",
    )
    date_end_invoiced = fields.Date(
        string="Invoiced Until",
        help="End of the period as invoiced: what a cancellation credits is "
        "prorated on it, so that free extensions are never refunded as if paid.",
    )
    quantity = fields.Integer(string="Copies", help="Copies invoiced for the period.")
    amount = fields.Monetary(
        help="Untaxed amount sold for this period, changes of copies included."
    )
    move_line_ids = fields.One2many(
        "account.move.line",
        "publication_period_id",
        string="Invoice Lines",
        groups="account.group_account_invoice,account.group_account_readonly",
        help="Invoice and credit note lines of this period.",
    )
    invoice_id = fields.Many2one("account.move", copy=False, index="btree_not_null")
    invoice_line_id = fields.Many2one("account.move.line", copy=False)
    invoice_date_due = fields.Date(
        related="invoice_id.invoice_date_due", store=True, string="Due Date"
    )
    dunning_days_sent = fields.Integer(
        string="Reminded (days overdue)",
        copy=False,
        readonly=True,
        help="Days overdue of the last payment reminder sent; 0 when none.",
    )
    refund_id = fields.Many2one(
        "account.move", string="Credit Note", copy=False, index="btree_not_null"
    )
    refund_line_id = fields.Many2one("account.move.line", copy=False)
    refund_amount = fields.Monetary(
        string="Credited",
        compute="_compute_refund_amount",
        store=True,
        help="Untaxed amount credited for deliveries that did not take place.",
    )
    payment_state = fields.Selection(
        [
            ("free", "Free"),
            ("to_invoice", "To Invoice"),
            ("not_paid", "Not Paid"),
            ("partial", "Partially Paid"),
            ("in_payment", "In Payment"),
            ("paid", "Paid"),
            ("reversed", "Reversed"),
        ],
        compute="_compute_payment_state",
        store=True,
        index=True,
    )
    prepaid = fields.Boolean(
        string="Paid Before Import",
        copy=False,
        readonly=True,
        help="Paid in the register it was imported from: paid without an invoice.",
    )

    _start_uniq = models.Constraint(
        "UNIQUE(subscription_id, date_start)",
        "A subscription has one period per start date.",
    )
    _unpaid_idx = models.Index(
        "(publication_id, invoice_date_due) "
        "WHERE payment_state IN ('not_paid', 'partial')"
    )

    @api.depends("invoice_id.payment_state", "invoice_id.state", "amount", "prepaid")
    def _compute_payment_state(self):
        """A cancelled or reset-to-draft invoice is not due: nothing to remind.
        A period paid in the register it was imported from is paid."""
        for period in self:
            if period.invoice_id.state == "posted":
                state = period.invoice_id.payment_state
                period.payment_state = (
                    state if state in self._payment_states() else "not_paid"
                )
            elif period.prepaid and period.amount:
                period.payment_state = "paid"
            else:
                period.payment_state = "to_invoice" if period.amount else "free"

    @api.depends("refund_id.invoice_line_ids.price_subtotal")
    def _compute_refund_amount(self):
        """The period's lines of its credit note (one per part it invoiced)."""
        for period in self:
            period.refund_amount = sum(
                period.sudo()._move_lines(period.refund_id).mapped("price_subtotal")
            )

    def _payment_states(self):
        return dict(self._fields["payment_state"].selection)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for period in self:
            check_vals(
                period,
                {"date_start": period.date_start, "date_end": period.date_end},
                dates=["date_start", "date_end"],
                owner=self.env._(
                    "a period of %(name)s", name=period.subscription_id.name
                ),
            )
            if period.date_end < period.date_start:
                raise ValidationError(
                    self.env._(
                        "End (%(end)s) of a period of %(name)s is before its Start "
                        "(%(start)s).",
                        end=format_date(self.env, period.date_end),
                        start=format_date(self.env, period.date_start),
                        name=period.subscription_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_guarded_fields(vals, creating=True)
            vals.setdefault("date_end_invoiced", vals.get("date_end"))
        return super().create(vals_list)

    def write(self, vals):
        self._check_guarded_fields(vals)
        return super().write(vals)

    def _manager_value_allowed(self, field, vals):
        """A new period may get the amount its subscription gives it."""
        return not vals[field] or (
            field == "amount" and self._is_subscription_amount(vals)
        )

    def _is_subscription_amount(self, vals):
        """The amount a new period of its subscription gets (0 for free copies)."""
        subscription = self.env["publication.subscription"].browse(
            vals.get("subscription_id")
        )
        if not subscription:
            return False
        amount = 0.0 if subscription._is_free() else subscription.amount
        return not subscription.currency_id.compare_amounts(vals["amount"], amount)

    def _create_invoices(self, line_vals=None):
        """Posted customer invoices: one per company and payer, the lines of
        each period (the list line_vals[period] when given, else
        _prepare_invoice_lines)."""
        moves = self.env["account.move"]
        for company, company_periods in self.grouped("company_id").items():
            groups = list(company_periods.grouped("payer_id").items())
            company_moves = self.env["account.move"]._create_posted_publication_moves(
                company,
                [
                    periods._prepare_invoice(
                        None
                        if line_vals is None
                        else [vals for period in periods for vals in line_vals[period]]
                    )
                    for _payer, periods in groups
                ],
            )
            for (_payer, periods), move in zip(groups, company_moves, strict=True):
                periods._link_move_lines(move, "invoice_id", "invoice_line_id")
            moves |= company_moves
        return moves

    def _prepare_invoice(self, line_vals_list=None):
        """Values of an invoice of these periods (one company, one payer), with
        line_vals_list as lines (by default _prepare_invoice_lines of each
        period). Every invoice of
        a subscription is built here: extend it to set a journal, a payment term
        or an invoice address."""
        if line_vals_list is None:
            line_vals_list = [
                vals for period in self for vals in period._prepare_invoice_lines()
            ]
        return {
            "move_type": "out_invoice",
            "partner_id": self.payer_id.id,
            "invoice_origin": ", ".join(self.subscription_id.mapped("name")),
            "invoice_user_id": self._invoice_salesperson().id,
            "invoice_line_ids": [Command.create(vals) for vals in line_vals_list],
        }

    def _invoice_salesperson(self):
        """The subscriptions' salesperson, else the user at work; never a
        technical user (OdooBot runs the scheduled actions) nor a portal user."""
        people = (self.subscription_id.user_id | self.env.user).filtered(
            lambda user: not user.share and not user._is_superuser()
        )
        return people[:1]

    def _link_move_lines(self, move, move_field, line_field):
        """Link each period to move and to its first line there (a period has a
        line per part of its offer, see _prepare_invoice_lines)."""
        lines = {}
        for line in move.invoice_line_ids:
            lines.setdefault(line.publication_period_id, line)
        for period in self.sudo():
            period.write({move_field: move.id, line_field: lines[period].id})

    def _move_lines(self, move):
        """This period's lines of move (its invoice, a credit note)."""
        self.ensure_one()
        return move.invoice_line_ids.filtered(
            lambda line: line.publication_period_id == self
        )

    def _prepare_invoice_lines(self):
        """The invoice lines of this period, the one place where they are made
        (first invoice, renewal, gift, conversion, import): a line per part of
        the offer (_invoice_parts: one, or print and digital), and the digital
        add-on's surcharge on its own line. Credit notes and changes of copies
        follow the lines invoiced, part by part."""
        self.ensure_one()
        subscription = self.subscription_id
        plan = subscription._term_plan(self)
        product = plan._get_product()
        if not product:
            raise UserError(
                self.env._(
                    "Set a Subscription Product on publication %(publication)s or a "
                    "Product on offer %(plan)s before invoicing it.",
                    publication=subscription.publication_id.name,
                    plan=plan.name,
                )
            )
        base = {
            "publication_period_id": self.id,
            "name": self.env._(
                "%(publication)s, %(plan)s: %(recipient)s, %(start)s to %(end)s",
                publication=subscription.publication_id.name,
                plan=plan.name,
                recipient=subscription.recipient_id.display_name,
                start=self.payer_id._publication_format_date(self.date_start),
                end=self.payer_id._publication_format_date(self.date_end),
            ),
            "quantity": self.quantity or subscription.quantity,
        }
        price, base["discount"] = subscription._invoice_price(self)
        account = subscription.publication_id.income_account_id
        if account:
            base["account_id"] = account.id
        parts = plan._invoice_parts(price)
        addon_price = subscription._term_addon_price(plan)
        if addon_price:
            parts.append((plan.digital_product_id, addon_price, "addon"))
        return [
            dict(
                base,
                product_id=part_product.id,
                price_unit=part_price,
                name=self._part_line_name(base["name"], part),
            )
            for part_product, part_price, part in parts
        ]

    def _part_line_name(self, name, part):
        """name of a line, with the part of the offer it invoices."""
        if part == "print":
            return self.env._("%(line)s, print", line=name)
        if part == "digital":
            return self.env._("%(line)s, digital", line=name)
        if part == "addon":
            return self.env._("%(line)s, digital add-on", line=name)
        return name

    def _prorations(self, date_stop):
        """What each period will not deliver when delivery stops after
        date_stop, as a share of what was invoiced (see _proration).
        Two queries for all periods."""
        by_issues = self.filtered(
            lambda p: p.subscription_id.plan_id.proration == "issues"
        )
        issue_dates, last_issue = {}, {}
        if by_issues:
            Issue = self.env["publication.issue"]
            publications = by_issues.publication_id
            for issue in Issue.search_read(
                [
                    ("publication_id", "in", publications.ids),
                    ("date", ">=", min(by_issues.mapped("date_start"))),
                    ("date", "<=", max(by_issues.mapped("date_end"))),
                ],
                ["publication_id", "date"],
            ):
                issue_dates.setdefault(issue["publication_id"][0], []).append(
                    issue["date"]
                )
            last_issue = {
                publication.id: last
                for publication, last in Issue._read_group(
                    [("publication_id", "in", publications.ids)],
                    ["publication_id"],
                    ["date:max"],
                )
            }
        return {
            period: period._proration(
                date_stop,
                issue_dates.get(period.publication_id.id, [])
                if period in by_issues
                else [],
                last_issue.get(period.publication_id.id),
            )
            for period in self
        }

    def _proration(self, date_stop, issue_dates, last_issue):
        """Share of the invoiced period not delivered after date_stop.

        By issues when the offer prorates by issues and the issue calendar
        covers the invoiced period, by days otherwise. What was invoiced is the
        period until Invoiced Until; what was delivered is the period until the
        last day of delivery, without the days (or issues) of its pauses, so a
        pause or a free extension is never credited as if paid. A subscription
        still awaiting payment was never delivered: all of it is credited.
        """
        self.ensure_one()
        start = self.date_start
        end = self.date_end_invoiced or self.date_end
        last_day = min(self._last_delivery_day(date_stop), self.date_end)
        pauses = self.subscription_id.pause_ids
        if issue_dates and last_issue and last_issue >= end:
            invoiced = [day for day in issue_dates if start <= day <= end]
            delivered = [
                day
                for day in issue_dates
                if start <= day <= last_day
                and not any(p.date_from <= day <= p.date_to for p in pauses)
            ]
            if invoiced:
                return Proration(
                    max(len(invoiced) - len(delivered), 0), len(invoiced), "issues"
                )
        total = (end - start).days + 1
        delivered = max((last_day - start).days + 1, 0) - sum(
            max((min(p.date_to, last_day) - max(p.date_from, start)).days + 1, 0)
            for p in pauses
        )
        return Proration(max(total - delivered, 0), total, "days")

    def _last_delivery_day(self, date_stop):
        """date_stop, or the day before the start for a subscription never
        delivered (still awaiting payment)."""
        self.ensure_one()
        if self.subscription_id.state == "waiting":
            return min(date_stop, self.date_start - timedelta(days=1))
        return date_stop

    def _credit_after(self, date_stop, ref=None):
        """Credit notes for what these periods will not deliver after date_stop,
        one per invoice, reconciled with it."""
        invoiced = self.sudo().filtered(
            lambda p: (
                p.invoice_line_id and not p.refund_id and p.invoice_id.state == "posted"
            )
        )
        prorations = invoiced._prorations(date_stop)
        to_credit = invoiced.filtered(lambda p: prorations[p].fraction > 0)
        refunds = self.env["account.move"]
        for company, company_periods in to_credit.grouped("company_id").items():
            groups = list(company_periods.grouped("invoice_id").items())
            refunds_vals = [
                periods._prepare_refund(
                    invoice,
                    ref
                    or self.env._(
                        "Cancellation on %(date)s",
                        date=invoice.partner_id._publication_format_date(date_stop),
                    ),
                    [
                        vals
                        for period in periods
                        for vals in period._prepare_refund_lines(
                            period._last_delivery_day(date_stop), prorations[period]
                        )
                    ],
                )
                for invoice, periods in groups
            ]
            company_refunds = self.env["account.move"]._create_posted_publication_moves(
                company, refunds_vals
            )
            for (_invoice, periods), refund in zip(
                groups, company_refunds, strict=True
            ):
                periods._link_move_lines(refund, "refund_id", "refund_line_id")
            refunds |= company_refunds
        return refunds

    def _prepare_refund(self, invoice, ref, line_vals_list):
        """Values of a credit note of these periods reversing invoice (Odoo
        reconciles it with the invoice when posted). Every credit note of a
        subscription is built here: extend it to set a journal or a payment term."""
        return {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "reversed_entry_id": invoice.id,
            "invoice_origin": invoice.name,
            "ref": ref,
            "invoice_line_ids": [Command.create(vals) for vals in line_vals_list],
        }

    def _prepare_refund_lines(self, date_stop, proration):
        """Credit of what is not delivered after date_stop, for the copies the
        period has now (changes of copies included): a line per line of its
        invoice (per part), each credited in proportion with its taxes, so
        that each part's invoiced less credited is what it delivered."""
        self.ensure_one()
        return [
            self._prepare_refund_line(line, date_stop, proration)
            for line in self._move_lines(self.invoice_id)
        ]

    def _prepare_refund_line(self, line, date_stop, proration):
        copies = self.quantity or line.quantity
        return {
            "publication_period_id": self.id,
            "product_id": line.product_id.id,
            "name": self.env._(
                "%(line)s: not delivered after %(date)s, %(proration)s",
                line=line.name,
                date=self.payer_id._publication_format_date(date_stop),
                proration=proration.label(self.env),
            ),
            "quantity": 1,
            "price_unit": line.currency_id.round(
                line.price_unit
                * copies
                * (1 - line.discount / 100)
                * proration.fraction
            ),
            "tax_ids": [Command.set(line.tax_ids.ids)],
            "account_id": line.account_id.id,
        }

    def _copies(self):
        self.ensure_one()
        return self.quantity or self.invoice_line_id.quantity

    def _invoice_copies_change(self, quantity, date_change):
        """These invoiced periods have quantity copies after date_change: the
        extra copies are invoiced for what the periods still deliver (one
        invoice per company and payer), fewer copies are credited likewise
        (one credit note per invoice). The periods' amounts follow."""
        prorations = self._prorations(date_change)
        todo = self.filtered(
            lambda p: prorations[p].fraction > 0 and p._copies() != quantity
        )
        lines = {
            period: [
                period._prepare_copies_line(
                    line, quantity, date_change, prorations[period]
                )
                for line in period._move_lines(period.invoice_id)
            ]
            for period in todo
        }
        raised = todo.filtered(lambda p: quantity > p._copies())
        Move = self.env["account.move"]
        moves = Move
        for company, periods in raised.grouped("company_id").items():
            moves |= Move._create_posted_publication_moves(
                company,
                [
                    group._prepare_invoice([v for p in group for v in lines[p]])
                    for _payer, group in periods.grouped("payer_id").items()
                ],
            )
        for company, periods in (todo - raised).grouped("company_id").items():
            moves |= Move._create_posted_publication_moves(
                company,
                [
                    group._prepare_refund(
                        invoice,
                        self.env._(
                            "Fewer copies after %(date)s",
                            date=invoice.partner_id._publication_format_date(
                                date_change
                            ),
                        ),
                        [v for p in group for v in lines[p]],
                    )
                    for invoice, group in periods.grouped("invoice_id").items()
                ],
            )
        for period in todo:
            sign = 1 if period in raised else -1
            change = sum(v["quantity"] * v["price_unit"] for v in lines[period])
            period.write(
                {"quantity": quantity, "amount": period.amount + sign * change}
            )
        return moves

    def _prepare_copies_line(self, line, quantity, date_change, proration):
        """Line for the difference of copies of the invoice line line (a part),
        prorated on what is still to deliver after date_change (an invoice
        line, or a credit note line)."""
        self.ensure_one()
        change = quantity - self._copies()
        values = {
            "line": line.name,
            "count": abs(change),
            "date": self.payer_id._publication_format_date(date_change),
            "proration": proration.label(self.env),
        }
        if change == 1:
            name = self.env._(
                "%(line)s: 1 more copy after %(date)s, %(proration)s", **values
            )
        elif change > 0:
            name = self.env._(
                "%(line)s: %(count)s more copies after %(date)s, %(proration)s",
                **values,
            )
        elif change == -1:
            name = self.env._(
                "%(line)s: 1 fewer copy after %(date)s, %(proration)s", **values
            )
        else:
            name = self.env._(
                "%(line)s: %(count)s fewer copies after %(date)s, %(proration)s",
                **values,
            )
        return {
            "publication_period_id": self.id,
            "product_id": line.product_id.id,
            "name": name,
            "quantity": abs(change),
            "price_unit": line.currency_id.round(
                line.price_unit * (1 - line.discount / 100) * proration.fraction
            ),
            "tax_ids": [Command.set(line.tax_ids.ids)],
            "account_id": line.account_id.id,
        }

    # ------------------------------------------------------------------
    # Dunning (used by publication.automation)
    # ------------------------------------------------------------------
    @api.model
    def _dunning_domain(self, step, today):
        return Domain(
            [
                ("publication_id", "=", step.publication_id.id),
                ("payment_state", "in", UNPAID),
                ("invoice_date_due", "<=", today - timedelta(days=step.days)),
                ("dunning_days_sent", "<", step.days),
                ("subscription_id.state", "in", OPEN_STATES),
                # not while a saved card is still charged for it
                ("card_charge_state", "not in", CARD_COLLECTING),
            ]
        )

    @api.model
    def _suspension_domain(self, publications, today):
        """Unpaid periods of active subscriptions: overdue for the publication's
        Suspend Delivery days, or, with payment grace, unpaid that many days
        after their start and their invoice (delivered so long without payment)."""
        Automation = self.env["publication.automation"]
        overdue = Automation._cutoff_domain(
            publications.filtered("suspend_after_days"),
            "invoice_date_due",
            lambda p: today - timedelta(days=p.suspend_after_days),
        )
        with_grace = publications.filtered("payment_grace_days")
        grace_over = Automation._cutoff_domain(
            with_grace,
            "date_start",
            lambda p: today - timedelta(days=p.payment_grace_days),
        ) & Automation._cutoff_domain(
            with_grace,
            "invoice_id.invoice_date",
            lambda p: today - timedelta(days=p.payment_grace_days),
        )
        return Domain(
            [
                ("payment_state", "in", UNPAID),
                ("subscription_id.state", "=", "active"),
                ("card_charge_state", "not in", CARD_COLLECTING),
            ]
        ) & (overdue | grace_over)

    def _send_payment_reminder(self, step):
        self.env["publication.letter"]._send_payment_reminders(self, step)
        self._log_events("dunning", step)
        self.write({"dunning_days_sent": step.days})

    def _suspend_unpaid(self):
        """Stop delivery until the invoice is paid (payment resumes it)."""
        self.subscription_id._write_state({"state": "suspended"})
        for period in self:
            period.subscription_id.message_post(
                body=self.env._(
                    "Delivery suspended: invoice %(invoice)s, due on %(date)s, is "
                    "not paid. Payment resumes delivery.",
                    invoice=period.invoice_id.name,
                    date=period.payer_id._publication_format_date(
                        period.invoice_date_due
                    ),
                )
            )
        self._log_events("suspension")

    def _log_events(self, kind, step=None):
        self.env["publication.renewal.event"].sudo().create(
            [
                {
                    "subscription_id": period.subscription_id.id,
                    "period_id": period.id,
                    "step_id": step.id if step else False,
                    "kind": kind,
                    "invoice_id": period.invoice_id.id,
                }
                for period in self
            ]
        )

    def _automation_error_records(self):
        """A failing period shows its failure on its subscription."""
        return self.subscription_id
