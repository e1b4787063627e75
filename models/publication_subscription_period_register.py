"""Periods taken over from an older register: paid there, not invoiced here."""

from odoo import api, fields, models


class PublicationSubscriptionPeriod(models.Model):
    _inherit = "publication.subscription.period"

    prepaid = fields.Boolean(
        string="Paid Before Import",
        copy=False,
        readonly=True,
        help="Paid in the register it was imported from: paid without an invoice.",
    )

    @api.depends("invoice_id.payment_state", "invoice_id.state", "amount", "prepaid")
    def _compute_payment_state(self):
        result = super()._compute_payment_state()
        for period in self:
            if period.prepaid and period.payment_state == "to_invoice":
                period.payment_state = "paid"
        return result

    def _create_opening_invoices(self, shares):
        """Invoices of the unpaid share of each imported period (period:
        fraction of its amount), one per company and payer."""
        moves = self.env["account.move"]
        for company, company_periods in self.grouped("company_id").items():
            groups = list(company_periods.grouped("payer_id").items())
            vals_list = []
            for _payer, periods in groups:
                lines = []
                for period in periods:
                    vals = period._prepare_invoice_line()
                    vals["price_unit"] = company.currency_id.round(
                        vals["price_unit"] * shares[period]
                    )
                    vals["name"] = self.env._(
                        "%(name)s (unpaid rest from the former register)",
                        name=vals["name"],
                    )
                    lines.append(vals)
                vals_list.append(periods._prepare_invoice(lines))
            company_moves = self.env["account.move"]._create_posted_publication_moves(
                company, vals_list
            )
            for (_payer, periods), move in zip(groups, company_moves, strict=True):
                periods._link_move_lines(move, "invoice_id", "invoice_line_id")
            moves |= company_moves
        return moves
