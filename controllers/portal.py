from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class PublicationPortal(CustomerPortal):
    """The link of renewal and payment reminders: the payer sees the unpaid
    invoice, or confirms the renewal (a POST, so that a mail scanner following
    the link never renews) and is sent on to pay its invoice."""

    @http.route(
        "/publication/renew/<int:subscription_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
    )
    def publication_renew(self, subscription_id, access_token=None, **kwargs):
        try:
            subscription = self._document_check_access(
                "publication.subscription", subscription_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if request.httprequest.method == "POST":
            invoice = subscription._invoice_to_pay_online()
        else:
            invoice = subscription._unpaid_invoice()
        if invoice:
            return request.redirect(invoice.get_portal_url())
        return request.render(
            "publication_crm.portal_subscription_renew",
            {"subscription": subscription, "access_token": access_token},
        )
