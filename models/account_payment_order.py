from odoo import api, models


class AccountPaymentOrder(models.Model):
    _inherit = "account.payment.order"

    @api.model
    def _publication_direct_debit_order(self, mode, day):
        """The draft direct debit order of mode collected on day, created when
        there is none."""
        order = self.search(
            [
                ("payment_mode_id", "=", mode.id),
                ("state", "=", "draft"),
                ("date_prefered", "=", "fixed"),
                ("date_scheduled", "=", day),
            ],
            limit=1,
        )
        if order:
            return order
        return self.create(
            {
                "payment_mode_id": mode.id,
                "journal_id": (
                    mode.fixed_journal_id or mode.variable_journal_ids[:1]
                ).id,
                "date_prefered": "fixed",
                "date_scheduled": day,
                "description": self.env._(
                    "Subscriptions collected on %(date)s", date=day
                ),
            }
        )

    def draft2open(self):
        """OCA confirms line by line, reading each line's mandate, journal
        item and invoice from a record of its own: they are read for all the
        lines first, in batches. The payments (one per debit) are the order's
        doing: logged on the order, not each with a creation message and the
        confirming user as follower."""
        self._publication_prefetch_debits()
        return super(
            AccountPaymentOrder,
            self.with_context(
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                publication_order_method_lines=self._publication_method_lines(),
            ),
        ).draft2open()

    def _publication_method_lines(self):
        """What OCA and Odoo find for each payment of a confirmation, found
        once per order: ((payment method, journal, method line, outstanding
        account), ...). The method line is OCA's search; the outstanding
        account is the one Odoo writes on each new payment whose method line
        has none (0 when Odoo writes none)."""
        Move = self.env["account.move"]
        accounting = Move._get_invoice_in_payment_state() == "in_payment"
        if self.env.context.get("force_payment_move"):
            accounting = False
        found = []
        for order in self:
            method = order.payment_mode_id.payment_method_id
            line = self.env["account.payment.method.line"].search(
                [
                    ("payment_method_id", "=", method.id),
                    ("journal_id", "=", order.journal_id.id),
                ],
                limit=1,
            )
            outstanding = 0
            if not accounting and not line.payment_account_id:
                payment = self.env["account.payment"].new(
                    {"company_id": order.company_id.id}
                )
                outstanding = payment._get_outstanding_account(order.payment_type).id
            found.append((method.id, order.journal_id.id, line.id, outstanding))
        return tuple(found)

    def generated2uploaded(self):
        """OCA's SEPA module posts a note on each mandate it switches from
        first to recurring, one message at a time: the notes are logged in
        one batch after."""
        res = super(
            AccountPaymentOrder,
            self.with_context(publication_defer_mandate_notes=True),
        ).generated2uploaded()
        self.env["account.banking.mandate"]._publication_log_deferred_notes()
        return res

    def post_and_reconcile(self):
        """OCA's, with every payment's reconciliation with the items it pays
        in one batch (OCA reconciles each payment on its own, a fraction of a
        second per debit: more than an hour for 20,000)."""
        self._publication_prefetch_debits()
        self.payment_ids.partner_id.fetch()
        self.payment_ids.action_post()
        self.env["account.move.line"]._reconcile_plan(
            [
                payment.payment_line_ids.move_line_id
                + payment.move_id.line_ids.filtered(
                    lambda x, p=payment: x.account_id == p.destination_account_id
                )
                for payment in self.payment_ids
            ]
        )

    def generate_payment_file(self):
        """The pain.008 file reads each debit's payment line, mandate and bank
        account from a record of its own: they are read in batches first."""
        self._publication_prefetch_debits()
        return super().generate_payment_file()

    def _publication_prefetch_debits(self):
        """Fill the cache with what OCA reads debit by debit (one query per
        thousand records and model instead of one per debit)."""
        payments = self.payment_ids
        payments.fetch(["payment_line_ids", "partner_bank_id", "currency_id"])
        lines = self.payment_line_ids | payments.payment_line_ids
        lines.fetch()
        lines.mandate_id.fetch()
        lines.order_id.fetch()
        items = lines.move_line_id
        items.fetch(["account_id", "date_maturity", "move_id"])
        items.move_id.fetch(["move_type"])
        banks = lines.partner_bank_id | payments.partner_bank_id
        banks.fetch()
        banks.bank_id.fetch()
        (banks.partner_id | lines.partner_id).fetch(["name", "country_id"])
