from odoo import api, fields, models
from odoo.tools import SQL

from .company_check import companies_consistent

PAYMENT_LINE_SEQUENCE = "account.payment.line"


class AccountPaymentLine(models.Model):
    _inherit = "account.payment.line"

    @api.model_create_multi
    def create(self, vals_list):
        """OCA draws a reference per line (two queries each): a direct debit
        order of thousands of lines draws them all in one query."""
        unnamed = [vals for vals in vals_list if vals.get("name", "New") == "New"]
        if len(unnamed) > 1:
            for vals, name in zip(
                unnamed, self._publication_next_references(len(unnamed)), strict=False
            ):
                vals["name"] = name
        return super().create(vals_list)

    def write(self, vals):
        """OCA writes its collection date on each line of an order being
        confirmed, a write per line: a date the lines have already (written
        on all of them, see account.payment.order's _publication_date_debits)
        is not written again."""
        if set(vals) == {"date"} and all(
            line.date == fields.Date.to_date(vals["date"]) for line in self
        ):
            return True
        return super().write(vals)

    def _compute_amount_company_currency(self):
        """Lines in their company's currency have their amount (rounded, as
        _convert gives it), assigned to all the lines of an amount at once
        (an order has thousands of debits of a few prices; OCA assigns it
        line by line); other lines are OCA's."""
        same = self.filtered(
            lambda x: x.currency_id and x.currency_id == x.company_currency_id
        )
        for (currency, amount), lines in same.grouped(
            lambda x: (x.currency_id, x.amount_currency)
        ).items():
            lines.amount_company_currency = currency.round(amount) if amount else 0.0
        return super(AccountPaymentLine, self - same)._compute_amount_company_currency()

    def _check_company(self, fnames=None):
        """A batch of lines (an order's) is checked at once."""
        if len(self) > 1 and companies_consistent(self, fnames):
            return
        return super()._check_company(fnames)

    @api.model
    def _publication_next_references(self, count):
        """count next references of the payment line sequence, in order, as
        ir.sequence's next_by_code draws them one by one; none (OCA draws
        them) for a sequence without a plain PostgreSQL sequence."""
        Sequence = self.env["ir.sequence"]
        Sequence.browse().check_access("read")
        sequence = Sequence.search(
            [
                ("code", "=", PAYMENT_LINE_SEQUENCE),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if not sequence or sequence.implementation != "standard":
            return []
        if sequence.use_date_range:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        numbers = sorted(number for (number,) in self.env.cr.fetchall())
        # get_next_char's prefix and suffix, interpolated once for all
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]
