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
