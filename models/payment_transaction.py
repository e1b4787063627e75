from odoo import fields, models

from .publication_subscription_period import UNPAID


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    publication_save_token = fields.Boolean(
        string="Saves the Subscriptions' Payment Method",
        readonly=True,
        help="Started by the logged-in payer of the subscriptions of the invoices, "
        "who asked to save the payment method: once done, the method saved pays "
        "their automatic renewals.",
    )

    def _post_process(self):
        """A payment done: the saved method it created pays the renewals of
        the subscriptions whose invoice it paid, when its logged-in payer
        asked for it; the card collection of the periods it paid ends."""
        super()._post_process()
        done = self.filtered(lambda tx: tx.state == "done" and tx.invoice_ids)
        if not done:
            return
        Period = self.env["publication.subscription.period"].sudo()
        periods = Period.search([("invoice_id", "in", done.invoice_ids.ids)])
        for tx in done.filtered(lambda tx: tx.publication_save_token and tx.token_id):
            subscriptions = periods.filtered(
                lambda p, tx=tx: p.invoice_id in tx.invoice_ids
            ).subscription_id.filtered(
                lambda s, tx=tx: "payer" in s._portal_roles(tx.partner_id)
            )
            subscriptions._set_payment_token(tx.token_id, tx.partner_id)
        periods.filtered(
            lambda p: (
                p.card_charge_state in ("due", "pending", "failed")
                and p.payment_state not in UNPAID
            )
        )._card_settle()
