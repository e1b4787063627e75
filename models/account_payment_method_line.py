from odoo import api, models


class AccountPaymentMethodLine(models.Model):
    _inherit = "account.payment.method.line"

    @api.model
    def search_fetch(self, domain, field_names=None, offset=0, limit=None, order=None):
        """While a payment order is confirmed, OCA searches the method line of
        the order's journal once per payment: it was found once per order
        (see account.payment.order's _publication_method_lines)."""
        if limit == 1 and not offset and not order and isinstance(domain, list):
            for method_id, journal_id, line_id, _outstanding in self.env.context.get(
                "publication_order_method_lines", ()
            ):
                if domain == [
                    ("payment_method_id", "=", method_id),
                    ("journal_id", "=", journal_id),
                ]:
                    return self.browse(line_id or ())
        return super().search_fetch(
            domain, field_names, offset=offset, limit=limit, order=order
        )
