from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.fields import Domain
from odoo.tools import split_every

COLLECTION_HORIZON_DAYS = 7  # invoices due within a week go into an order
COLLECTION_BATCH = 1000


class AccountMove(models.Model):
    _inherit = "account.move"

    direct_debit_return_reason_id = fields.Many2one(
        "payment.return.reason",
        readonly=True,
        copy=False,
        help="Why the payer's bank returned the direct debit of this invoice "
        "(ISO 20022 reason code), from the imported return file.",
    )

    def write(self, vals):
        """OCA writes its order on each payment's journal entry after the
        entry is made, one entry at a time: an entry already made with it
        (account.payment._generate_move_vals) is left as it is."""
        if set(vals) == {"payment_order_id"} and all(
            move.payment_order_id.id == vals["payment_order_id"] for move in self
        ):
            return True
        return super().write(vals)

    def _search_reconciled_payment_ids(self, operator, value):
        """Creating payments (a payment order's, one per debit), Odoo looks
        for the invoices they reconcile, computing what each payment is
        reconciled with: payments without a journal entry nor invoices
        reconcile none."""
        if operator in ("in", "=") and value:
            payments = self.env["account.payment"].browse(value)
            if not any(payment.move_id or payment.invoice_ids for payment in payments):
                return Domain.FALSE
        return super()._search_reconciled_payment_ids(operator, value)

    @api.model
    def _publication_direct_debit_lines_domain(self, mode, until):
        """Receivable lines of posted customer invoices of mode's payers with a
        valid mandate, due by until, open, and in no payment order yet (a
        cancelled order excepted): a line is never debited twice, and a
        returned debit is not presented again (its payer is reminded)."""
        return Domain(
            [
                ("company_id", "=", mode.company_id.id),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.payment_mode_id", "=", mode.id),
                ("move_id.mandate_id.state", "=", "valid"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
                "|",
                ("date_maturity", "=", False),
                ("date_maturity", "<=", until),
                ("payment_line_ids", "not any", [("state", "!=", "cancel")]),
            ]
        )

    @api.model
    def _publication_collect_direct_debits(self, company, today=None):
        """Put the open invoices of the company's direct debit payers in a
        draft payment order per collection date (the due date, tomorrow at
        the earliest): OCA's order, its confirmation and pain.008 file. Rerun
        on the same day it adds nothing. Returns the orders it added to."""
        mode = self.env["account.payment.mode"]._publication_direct_debit_mode(company)
        if not mode:
            return self.env["account.payment.order"]
        today = today or company._publication_today()
        until = today + timedelta(days=COLLECTION_HORIZON_DAYS)
        earliest = today + timedelta(days=1)
        Line = self.env["account.move.line"].sudo().with_company(company)
        lines = Line.search(
            self._publication_direct_debit_lines_domain(mode, until),
            order="date_maturity, id",
        )
        by_date = {}
        for line in lines:
            day = max(line.date_maturity or earliest, earliest)
            by_date.setdefault(day, []).append(line.id)
        orders = self.env["account.payment.order"].sudo()
        for day, line_ids in sorted(by_date.items()):
            order = orders._publication_direct_debit_order(mode, day)
            for batch in split_every(COLLECTION_BATCH, line_ids, Line.browse):
                batch.create_payment_line_from_move_line(order)
            orders |= order
        return orders

    def _get_payment_order_communication_full(self):
        """An invoice with neither credit note nor partial payment is debited
        with its own reference: OCA's query of its partials (one per invoice
        of an order) is skipped, the invoices' lines and partials being read
        for the whole batch at once."""
        if not self.reversal_move_ids and not (
            self.line_ids.matched_debit_ids or self.line_ids.matched_credit_ids
        ):
            return self._get_payment_order_communication_direct()
        return super()._get_payment_order_communication_full()

    def _prepare_direct_debit_return_fee(self, publication, return_line, product):
        """An invoice of publication's return fee (product) to the payer of
        self, whose direct debit return_line returned."""
        self.ensure_one()
        payer = self.commercial_partner_id
        return {
            "move_type": "out_invoice",
            "partner_id": payer.id,
            "currency_id": publication.currency_id.id,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "Returned direct debit of invoice %(invoice)s (%(reason)s)",
                            invoice=self.name,
                            reason=return_line.reason_id.code or "-",
                        ),
                        "quantity": 1,
                        "price_unit": publication.direct_debit_return_fee,
                    }
                )
            ],
        }
