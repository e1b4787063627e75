from markupsafe import escape

from odoo import Command, models

RETURNED_TEMPLATE = "publication_crm.mail_template_direct_debit_returned"
# the return items created ahead in a batch, while a return is confirmed
RETURN_ITEMS_KEY = "publication_return_items"


class PaymentReturn(models.Model):
    _inherit = "payment.return"

    def action_confirm(self):
        """OCA makes the returned invoices unpaid again (their periods await
        payment again, delivery follows the grace rules); then each payer of a
        subscription invoice is told, invoiced the publication's return fee,
        and their mandate suspended after too many returns.

        OCA undoes each returned payment's reconciliation one by one (a tenth
        of a second each): they are undone all at once first, and what OCA
        reads from them (the invoices paid) is written after it."""
        returned = {}
        for return_line in self.line_ids:
            invoice_lines = return_line.move_line_ids.matched_debit_ids.debit_move_id
            for invoice in invoice_lines.move_id.filtered(
                lambda m: m.move_type == "out_invoice"
            ):
                returned[invoice] = return_line
        paid = self._publication_unreconcile_returned()
        try:
            res = super(
                PaymentReturn, self.with_context(publication_batch_return_id=self.id)
            ).action_confirm()
        finally:
            self.env.cr.cache.pop(RETURN_ITEMS_KEY, None)
        self._publication_mark_returned(paid)
        self._publication_after_return(returned)
        return res

    def _publication_unreconcile_returned(self):
        """Undo the reconciliations of the returned payments' items in one go,
        as OCA's action_confirm does item by item. Returns {payment item:
        invoice items it paid} (nothing when OCA refuses the return)."""
        self.ensure_one()
        items = self.line_ids.move_line_ids
        if not items or self.line_ids.filtered(lambda x: not x.move_line_ids):
            return {}
        paid = {item: item.matched_debit_ids.debit_move_id for item in items}
        items.remove_move_reconcile()
        return paid

    def _publication_return_item(self, lines, vals_list):
        """The journal item OCA's action_confirm creates with vals_list (of
        lines, an account.move.line model) when it is a return line's return
        item: at the first return line, the items of all the lines are
        created in one batch, in the order of the lines, and each later call
        gets its own. None for any other item (created as usual)."""
        self.ensure_one()
        if len(vals_list) != 1:
            return None
        vals = vals_list[0]
        if not vals.get("move_id"):
            return None
        pending = self.env.cr.cache.setdefault(RETURN_ITEMS_KEY, {}).get(self.id)
        if pending is None:
            move = self.env["account.move"].browse(vals.get("move_id"))
            if not move or move.state != "draft" or not self.line_ids:
                return None
            all_vals = [
                line._prepare_return_move_line_vals(move) for line in self.line_ids
            ]
            if all_vals[0] != vals:
                return None
            expected = [dict(line_vals) for line_vals in all_vals]
            items = lines.with_context(publication_batch_return_id=False).create(
                all_vals
            )
            pending = list(zip(expected, items, strict=True))
            self.env.cr.cache[RETURN_ITEMS_KEY][self.id] = pending
        if not pending or pending[0][0] != vals:
            return None
        return pending.pop(0)[1].with_env(lines.env)

    def _publication_reconcile_pairs(self, items):
        """True when items, a pair of OCA's action_confirm (a returned
        payment item and its return item), are reconciled with each other:
        at the first pair, all the pairs of the return are, in one batch."""
        if len(items) != 2:
            return False
        first, second = items
        if (first.matched_debit_ids | first.matched_credit_ids) & (
            second.matched_debit_ids | second.matched_credit_ids
        ):
            return True
        pairs = self._publication_return_pairs(items)
        if not any(pair == items for pair in pairs):
            return False
        self.env["account.move.line"]._reconcile_plan(pairs)
        return True

    def _publication_return_pairs(self, items):
        """The pairs OCA reconciles, in its order: each payment item of a
        return line with the line's return item, the line's debit on the
        return move of items (none when its items do not match the lines)."""
        payment_items = self.line_ids.move_line_ids
        move = (items - payment_items).move_id
        if len(move) != 1:
            return []
        accounts = payment_items.account_id
        return_items = move.line_ids.filtered(
            lambda x: x.debit > 0 and x.account_id in accounts
        ).sorted("id")
        if len(return_items) != len(self.line_ids):
            return []
        pairs = []
        for line, return_item in zip(self.line_ids, return_items, strict=True):
            if (
                return_item.account_id != line.move_line_ids[0].account_id
                or return_item.partner_id != line.partner_id
            ):
                return []
            pairs += [payment_item + return_item for payment_item in line.move_line_ids]
        return pairs

    def _publication_mark_returned(self, paid):
        """What OCA's action_confirm writes from the reconciliations it undoes
        (paid: {payment item: invoice items}): the return's partial of each
        payment item records the invoice items returned, and their invoices
        are marked returned."""
        for item, invoice_items in paid.items():
            if invoice_items:
                item.matched_debit_ids.write(
                    {"origin_returned_move_ids": [Command.set(invoice_items.ids)]}
                )
        invoices = self.env["account.move.line"].union(*paid.values()).move_id
        if invoices:
            invoices.write(self._prepare_invoice_returned_vals())

    def _publication_after_return(self, returned):
        """returned: {invoice: payment.return.line} of the invoices returned."""
        Move = self.env["account.move"]
        invoices = Move.browse([i.id for i in returned]).sudo()
        invoices = invoices.filtered("publication_period_ids")
        if not invoices:
            return
        for reason, reason_invoices in invoices.grouped(
            lambda i: returned[i].reason_id
        ).items():
            reason_invoices.direct_debit_return_reason_id = reason
        # a note on each invoice (logged in one batch: no one is notified)
        invoices._message_log_batch(
            bodies={
                invoice.id: escape(
                    self.env._(
                        "Direct debit returned by the payer's bank (%(reason)s): "
                        "the invoice is open again.",
                        reason=returned[invoice].reason_id.display_name
                        or returned[invoice].reason_additional_information
                        or "-",
                    )
                )
                for invoice in invoices
            }
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
        # the payers: invoiced the return fee of the invoice's publication ...
        product = self.env.ref("publication_crm.product_direct_debit_return_fee")
        fee_vals = {}
        for invoice in invoices:
            publication = invoice.publication_period_ids.publication_id.sorted("id")[:1]
            if not publication.direct_debit_return_fee:
                continue
            fee_vals.setdefault(invoice.company_id, []).append(
                invoice._prepare_direct_debit_return_fee(
                    publication, returned[invoice], product
                )
            )
        for company, vals_list in fee_vals.items():
            Move._create_posted_publication_moves(company, vals_list)
        # ... and told (one mail per invoice, on its subscription, all made at
        # once by a mass mode composer)
        template = self.env.ref(RETURNED_TEMPLATE, raise_if_not_found=False)
        first_subscriptions = (
            self.env["publication.subscription"]
            .sudo()
            .browse(
                dict.fromkeys(
                    invoice.publication_period_ids.subscription_id.sorted("id")[:1].id
                    for invoice in invoices
                )
            )
        )
        first_subscriptions._post_template(template, mass=True)


class PaymentReturnLine(models.Model):
    _inherit = "payment.return.line"

    def _find_match(self):
        """The lines of an imported file that refer to payments of orders
        (their end-to-end ids, as OCA's iso20022 import matches them one
        search each) are matched with one search for all of them."""
        lines = self.filtered(
            lambda x: not x.move_line_ids and x.reference and x.reference.isdigit()
        )
        payments = self.env["account.payment"].search(
            [
                ("id", "in", [int(line.reference) for line in lines]),
                ("payment_order_id", "!=", False),
            ]
        )
        payment_of = {payment.id: payment for payment in payments}
        for line in lines:
            payment = payment_of.get(int(line.reference))
            if payment:
                line.partner_id = payment.partner_id
                line.move_line_ids |= payment.move_id.line_ids.filtered(
                    lambda x, payment=payment: (
                        x.account_id == payment.destination_account_id
                        and x.partner_id == payment.partner_id
                    )
                )
        return super()._find_match()
