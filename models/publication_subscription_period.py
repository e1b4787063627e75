from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command


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
    refund_id = fields.Many2one(
        "account.move", string="Credit Note", copy=False, index="btree_not_null"
    )
    refund_amount = fields.Monetary(string="Credited", copy=False)
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

    _dates_ordered = models.Constraint(
        "CHECK(date_end >= date_start)",
        "The end of a period must not be before its start.",
    )
    _start_uniq = models.Constraint(
        "UNIQUE(subscription_id, date_start)",
        "A subscription has one period per start date.",
    )

    @api.depends("invoice_id.payment_state", "amount")
    def _compute_payment_state(self):
        for period in self:
            if period.invoice_id:
                state = period.invoice_id.payment_state
                period.payment_state = (
                    state if state in self._payment_states() else "not_paid"
                )
            else:
                period.payment_state = "to_invoice" if period.amount else "free"

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
        """One posted customer invoice per payer and company, a line per period."""
        moves_vals = []
        groups = list(self.grouped(lambda p: (p.company_id, p.payer_id)).items())
        for (company, payer), periods in groups:
            moves_vals.append(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": payer.id,
                    "invoice_origin": ", ".join(periods.subscription_id.mapped("name")),
                    "invoice_line_ids": [
                        Command.create(period._prepare_invoice_line())
                        for period in periods
                    ],
                }
            )
        moves = self.env["account.move"].sudo().create(moves_vals)
        moves.action_post()
        for ((_company, _payer), periods), move in zip(groups, moves, strict=True):
            for period, line in zip(periods, move.invoice_line_ids, strict=True):
                period.write({"invoice_id": move.id, "invoice_line_id": line.id})
        return moves

    def _prepare_invoice_line(self):
        self.ensure_one()
        subscription = self.subscription_id
        product = subscription.plan_id._get_product()
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

    def _unused_fraction(self, date_cancel):
        """Share of the period not delivered when delivery stops after date_cancel."""
        self.ensure_one()
        if date_cancel >= self.date_end:
            return 0.0
        if date_cancel < self.date_start:
            return 1.0
        if self.subscription_id.plan_id.proration == "issues":
            issues = self.env["publication.issue"].search(
                [
                    ("publication_id", "=", self.publication_id.id),
                    ("date", ">=", self.date_start),
                    ("date", "<=", self.date_end),
                ]
            )
            if issues:
                undelivered = issues.filtered(lambda i: i.date > date_cancel)
                return len(undelivered) / len(issues)
        total_days = (self.date_end - self.date_start).days + 1
        return (self.date_end - date_cancel).days / total_days

    def _credit_after(self, date_cancel):
        """Credit notes for what these periods will not deliver after date_cancel."""
        to_credit = self.filtered(
            lambda p: (
                p.invoice_line_id
                and not p.refund_id
                and p.invoice_id.state == "posted"
                and p._unused_fraction(date_cancel) > 0
            )
        )
        refunds_vals = []
        groups = list(to_credit.grouped("invoice_id").items())
        for invoice, periods in groups:
            refunds_vals.append(
                {
                    "move_type": "out_refund",
                    "company_id": invoice.company_id.id,
                    "partner_id": invoice.partner_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.name,
                    "ref": self.env._("Cancellation on %(date)s", date=date_cancel),
                    "invoice_line_ids": [
                        Command.create(period._prepare_credit_line(date_cancel))
                        for period in periods
                    ],
                }
            )
        refunds = self.env["account.move"].sudo().create(refunds_vals)
        refunds.action_post()
        for (_invoice, periods), refund in zip(groups, refunds, strict=True):
            for period, line in zip(periods, refund.invoice_line_ids, strict=True):
                period.write(
                    {"refund_id": refund.id, "refund_amount": line.price_subtotal}
                )
        return refunds

    def _prepare_credit_line(self, date_cancel):
        self.ensure_one()
        line = self.invoice_line_id
        fraction = self._unused_fraction(date_cancel)
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
