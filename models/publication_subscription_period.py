from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain

from .publication_subscription import OPEN_STATES

UNPAID = ("not_paid", "partial")


class PublicationSubscriptionPeriod(models.Model):
    _name = "publication.subscription.period"
    _description = "Subscription Period"
    _order = "subscription_id, date_start"

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
    date_end = fields.Date(string="End", required=True)
    amount = fields.Monetary(help="Untaxed amount sold for this period.")
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

    _start_uniq = models.Constraint(
        "UNIQUE(subscription_id, date_start)",
        "A subscription has one period per start date.",
    )
    _unpaid_idx = models.Index(
        "(publication_id, invoice_date_due) "
        "WHERE payment_state IN ('not_paid', 'partial')"
    )

    @api.depends("invoice_id.payment_state", "invoice_id.state", "amount")
    def _compute_payment_state(self):
        """A cancelled or reset-to-draft invoice is not due: nothing to remind."""
        for period in self:
            if period.invoice_id.state == "posted":
                state = period.invoice_id.payment_state
                period.payment_state = (
                    state if state in self._payment_states() else "not_paid"
                )
            else:
                period.payment_state = "to_invoice" if period.amount else "free"

    @api.depends("refund_line_id.price_subtotal")
    def _compute_refund_amount(self):
        for period in self:
            period.refund_amount = period.refund_line_id.price_subtotal

    def _payment_states(self):
        return dict(self._fields["payment_state"].selection)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for period in self:
            if period.date_end < period.date_start:
                raise ValidationError(
                    self.env._(
                        "End (%(end)s) of a period of %(name)s is before its Start "
                        "(%(start)s).",
                        end=period.date_end,
                        start=period.date_start,
                        name=period.subscription_id.name,
                    )
                )

    def _create_invoices(self):
        """Posted customer invoices: one per company and payer, a line per period."""
        moves = self.env["account.move"]
        for company, company_periods in self.grouped("company_id").items():
            groups = list(company_periods.grouped("payer_id").items())
            moves_vals = [
                {
                    "move_type": "out_invoice",
                    "partner_id": payer.id,
                    "invoice_origin": ", ".join(periods.subscription_id.mapped("name")),
                    "invoice_line_ids": [
                        Command.create(period._prepare_invoice_line())
                        for period in periods
                    ],
                }
                for payer, periods in groups
            ]
            company_moves = self.env["account.move"]._create_posted_publication_moves(
                company, moves_vals
            )
            for (_payer, periods), move in zip(groups, company_moves, strict=True):
                periods._link_move_lines(move, "invoice_id", "invoice_line_id")
            moves |= company_moves
        return moves

    def _link_move_lines(self, move, move_field, line_field):
        for period, line in zip(self, move.invoice_line_ids, strict=True):
            period.write({move_field: move.id, line_field: line.id})

    def _prepare_invoice_line(self):
        self.ensure_one()
        subscription = self.subscription_id
        product = subscription.plan_id._get_product()
        if not product:
            raise UserError(
                self.env._(
                    "Set a Subscription Product on publication %(publication)s or a "
                    "Product on offer %(plan)s before invoicing it.",
                    publication=subscription.publication_id.name,
                    plan=subscription.plan_id.name,
                )
            )
        vals = {
            "product_id": product.id,
            "name": self.env._(
                "%(publication)s, %(plan)s: %(recipient)s, %(start)s to %(end)s",
                publication=subscription.publication_id.name,
                plan=subscription.plan_id.name,
                recipient=subscription.recipient_id.display_name,
                start=self.date_start,
                end=self.date_end,
            ),
            "quantity": subscription.quantity,
            "price_unit": subscription.price_unit,
        }
        account = subscription.publication_id.income_account_id
        if account:
            vals["account_id"] = account.id
        return vals

    def _unused_fractions(self, date_cancel):
        """Share of each period not delivered when delivery stops after date_cancel.

        By undelivered issues for offers prorated by issues (when the issue
        calendar covers the period), by days otherwise. One query for all periods.
        """
        by_issues = self.filtered(
            lambda p: p.subscription_id.plan_id.proration == "issues"
        )
        issue_dates = {}
        if by_issues:
            issues = self.env["publication.issue"].search_read(
                [
                    ("publication_id", "in", by_issues.publication_id.ids),
                    ("date", ">=", min(by_issues.mapped("date_start"))),
                    ("date", "<=", max(by_issues.mapped("date_end"))),
                ],
                ["publication_id", "date"],
            )
            for issue in issues:
                issue_dates.setdefault(issue["publication_id"][0], []).append(
                    issue["date"]
                )
        fractions = {}
        for period in self:
            dates = [
                day
                for day in issue_dates.get(period.publication_id.id, [])
                if period.date_start <= day <= period.date_end
            ]
            fractions[period] = period._unused_fraction(date_cancel, dates)
        return fractions

    def _unused_fraction(self, date_cancel, issue_dates):
        self.ensure_one()
        if date_cancel >= self.date_end:
            return 0.0
        if date_cancel < self.date_start:
            return 1.0
        if issue_dates:
            undelivered = [day for day in issue_dates if day > date_cancel]
            return len(undelivered) / len(issue_dates)
        total_days = (self.date_end - self.date_start).days + 1
        return (self.date_end - date_cancel).days / total_days

    def _credit_after(self, date_cancel):
        """Credit notes for what these periods will not deliver after date_cancel."""
        invoiced = self.sudo().filtered(
            lambda p: (
                p.invoice_line_id and not p.refund_id and p.invoice_id.state == "posted"
            )
        )
        fractions = invoiced._unused_fractions(date_cancel)
        to_credit = invoiced.filtered(lambda p: fractions[p] > 0)
        refunds = self.env["account.move"]
        for company, company_periods in to_credit.grouped("company_id").items():
            groups = list(company_periods.grouped("invoice_id").items())
            refunds_vals = [
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.name,
                    "ref": self.env._("Cancellation on %(date)s", date=date_cancel),
                    "invoice_line_ids": [
                        Command.create(
                            period._prepare_credit_line(date_cancel, fractions[period])
                        )
                        for period in periods
                    ],
                }
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

    def _prepare_credit_line(self, date_cancel, fraction):
        self.ensure_one()
        line = self.invoice_line_id
        return {
            "product_id": line.product_id.id,
            "name": self.env._(
                "%(line)s: not delivered after %(date)s (%(percent)s %%)",
                line=line.name,
                date=date_cancel,
                percent=round(fraction * 100, 1),
            ),
            "quantity": 1,
            "price_unit": line.currency_id.round(
                line.price_unit * line.quantity * (1 - line.discount / 100) * fraction
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
            ]
        )

    @api.model
    def _suspension_domain(self, publications, today):
        return Domain(
            [
                ("payment_state", "in", UNPAID),
                ("subscription_id.state", "=", "active"),
            ]
        ) & self.env["publication.automation"]._cutoff_domain(
            publications,
            "invoice_date_due",
            lambda p: today - timedelta(days=p.suspend_after_days),
        )

    def _send_payment_reminder(self, step):
        self.subscription_id._post_template(step.mail_template_id)
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
                    date=period.invoice_date_due,
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
