import re

from unidecode import unidecode

from odoo import api, fields, models

# a field path of pain.008's fields (no dunder name, as safe_eval)
FIELD_PATH = re.compile(r"(?!.*__)[A-Za-z]\w*(?:\.[A-Za-z]\w*)*")
# what OCA's pain files write "-" for when converting to ASCII
NOT_IN_PAIN = str.maketrans(dict.fromkeys('"#$%&*;<>=@[]^_`{}|~\\!', "-"))


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
        self._publication_date_debits()
        return super(
            AccountPaymentOrder,
            self.with_context(
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                publication_order_method_lines=self._publication_method_lines(),
            ),
        ).draft2open()

    def _publication_date_debits(self):
        """The collection date OCA gives the lines of an order on a fixed
        date (or today) when it is confirmed, written on all of them at once
        (OCA writes it line by line, a write each: see account.payment.line's
        write)."""
        today = fields.Date.context_today(self)
        for order in self.filtered(lambda o: o.date_prefered != "due"):
            day = today
            if order.date_prefered == "fixed":
                day = max(order.date_scheduled or today, today)
            order.payment_line_ids.filtered(lambda x, d=day: x.date != d).write(
                {"date": day}
            )

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

    @api.model
    def _prepare_field(
        self, field_name, field_value, eval_ctx, max_size=0, gen_args=None
    ):
        """OCA evaluates each field of each debit with safe_eval, which
        compiles and checks the expression every time (most of the pain.008's
        time): a plain path of fields (`line.currency_id.name`,
        `str(line.id)`, `a.b or c.d`) is read directly, with OCA's ASCII
        conversion and size; anything else, and any value OCA refuses (it
        tells why), is OCA's."""
        value = self._publication_path_value(field_value, eval_ctx)
        if not value or not isinstance(value, str):
            return super()._prepare_field(
                field_name, field_value, eval_ctx, max_size, gen_args
            )
        if (gen_args or {}).get("convert_to_ascii"):
            value = unidecode(value).translate(NOT_IN_PAIN)
        return value[:max_size] if max_size else value

    @api.model
    def _publication_path_value(self, expression, eval_ctx):
        """The value of expression, a path of fields from a name of eval_ctx,
        paths joined by `or`, or `str()` of these; None for another
        expression or a path that fails."""
        text = expression.strip()
        as_string = text.startswith("str(") and text.endswith(")")
        paths = (text[4:-1] if as_string else text).split(" or ")
        if not all(FIELD_PATH.fullmatch(path) for path in paths):
            return None
        try:
            for path in paths:
                name, *attributes = path.split(".")
                value = eval_ctx[name]
                for attribute in attributes:
                    value = getattr(value, attribute)
                if value:
                    break
        except Exception:  # noqa: BLE001 - OCA's safe_eval tells what fails
            return None
        return str(value) if as_string else value

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
