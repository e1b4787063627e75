from odoo import http
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import PaymentPortal

from .portal import PublicationPortal


class PublicationSavedCardPortal(PublicationPortal):
    """The payer's saved payment method on the subscription's page: seen,
    replaced by another saved method of theirs, or removed, by the payer
    logged in only (a mailed link's token changes nothing)."""

    @http.route(
        "/my/subscriptions/<int:subscription_id>/payment_method",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_subscription_payment_method(self, subscription_id, token_id=None, **kw):
        """GET (the link of the failure mail): the page, behind the login;
        POST: token_id replaces the saved method, none removes it."""
        if request.httprequest.method == "GET":
            return self._open_action_section(subscription_id, "payment_method")

        def change(subscription):
            partner = request.env.user.partner_id
            token = request.env["payment.token"].sudo().browse(int(token_id or 0))
            subscription._portal_set_payment_token(partner, token)
            if token:
                return request.env._(
                    "%(method)s now pays your automatic renewals.",
                    method=token.display_name,
                )
            return request.env._(
                "The saved payment method is removed: your renewals are invoiced "
                "for you to pay."
            )

        return self._subscription_action(subscription_id, "payment_method", change)


class PublicationPaymentPortal(PaymentPortal):
    def _create_transaction(self, *args, custom_create_values=None, **kwargs):
        """A logged-in payer who saves their payment method when paying a
        subscription's invoice saves it for its automatic renewals too (see
        payment.transaction._post_process); a visitor holding a mailed link
        never does."""
        tx_sudo = super()._create_transaction(
            *args, custom_create_values=custom_create_values, **kwargs
        )
        if (
            tx_sudo.tokenize
            and tx_sudo.invoice_ids
            and not request.env.user._is_public()
        ):
            tx_sudo.publication_save_token = True
        return tx_sudo
