from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal import PublicationPortal


class PublicationDirectDebitPortal(PublicationPortal):
    """The payer signs or revokes a SEPA direct debit mandate on the
    subscription's page, logged in only (a mailed link's token changes
    nothing)."""

    @http.route(
        "/my/subscriptions/<int:subscription_id>/direct_debit",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_subscription_direct_debit(
        self, subscription_id, iban=None, authorise=None, stop=None, **kw
    ):
        """GET: the page's direct debit section, behind the login; POST: sign
        a mandate for iban (the authorisation ticked), or stop."""
        if request.httprequest.method == "GET":
            return self._open_action_section(subscription_id, "direct_debit")

        def change(subscription):
            partner = request.env.user.partner_id
            if stop:
                subscription._portal_stop_direct_debit(partner)
                return request.env._(
                    "Direct debit is stopped: your next invoices come for you to pay."
                )
            if not authorise:
                raise UserError(
                    request.env._(
                        "Tick the authorisation to sign the direct debit mandate."
                    )
                )
            mandate = subscription._portal_sign_mandate(partner, iban)
            return request.env._(
                "Thank you: your invoices are collected by direct debit from "
                "%(iban)s (mandate %(reference)s).",
                iban=mandate.partner_bank_id.acc_number,
                reference=mandate.unique_mandate_reference,
            )

        return self._subscription_action(subscription_id, "direct_debit", change)
