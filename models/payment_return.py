from odoo import models

RETURNED_TEMPLATE = "publication_crm.mail_template_direct_debit_returned"


class PaymentReturn(models.Model):
    _inherit = "payment.return"

    def action_confirm(self):
        """OCA makes the returned invoices unpaid again (their periods await
        payment again, delivery follows the grace rules); then each payer of a
        subscription invoice is told, invoiced the publication's return fee,
        and their mandate suspended after too many returns."""
        returned = {}
        for return_line in self.line_ids:
            invoice_lines = return_line.move_line_ids.matched_debit_ids.debit_move_id
            for invoice in invoice_lines.move_id.filtered(
                lambda m: m.move_type == "out_invoice"
            ):
                returned[invoice] = return_line
        res = super().action_confirm()
        self._publication_after_return(returned)
        return res

    def _publication_after_return(self, returned):
        """returned: {invoice: payment.return.line} of the invoices returned."""
        Move = self.env["account.move"]
        invoices = Move.browse([i.id for i in returned]).sudo()
        invoices = invoices.filtered("publication_period_ids")
        if not invoices:
            return
        for invoice in invoices:
            line = returned[invoice]
            invoice.direct_debit_return_reason_id = line.reason_id
            invoice.message_post(
                body=self.env._(
                    "Direct debit returned by the payer's bank (%(reason)s): "
                    "the invoice is open again.",
                    reason=line.reason_id.display_name
                    or line.reason_additional_information
                    or "-",
                )
            )
        # the mandates: one more return each, suspended at the limit
        reasons = {}
        for invoice in invoices:
            mandate = (
                invoice.mandate_id
                or (
                    returned[
                        invoice
                    ].move_line_ids.payment_id.payment_line_ids.mandate_id[:1]
                )
            )
            if mandate:
                reasons[mandate.id] = returned[invoice].reason_id.code
        mandates = self.env["account.banking.mandate"].sudo().browse(list(reasons))
        mandates._publication_count_return(reasons)
        # the payers: told (one mail per invoice, on its subscription) ...
        template = self.env.ref(RETURNED_TEMPLATE, raise_if_not_found=False)
        first_subscriptions = self.env["publication.subscription"].sudo()
        for invoice in invoices:
            first_subscriptions |= (
                invoice.publication_period_ids.subscription_id.sorted("id")[:1]
            )
        first_subscriptions._post_template(template)
        # ... and invoiced the return fee of the invoice's publication
        fee_vals = {}
        for invoice in invoices:
            publication = invoice.publication_period_ids.publication_id.sorted("id")[:1]
            fee = publication.direct_debit_return_fee
            if not fee:
                continue
            fee_vals.setdefault(invoice.company_id, []).append(
                invoice._prepare_direct_debit_return_fee(publication, returned[invoice])
            )
        for company, vals_list in fee_vals.items():
            Move._create_posted_publication_moves(company, vals_list)
