from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class PublicationPortal(CustomerPortal):
    """The link of renewal, trial and payment reminders: the payer sees the
    unpaid invoice, or the offer of the subscription (renewal, or the paid
    offer that follows a trial) and accepts it with a button (a POST, so that a
    mail scanner following the link accepts nothing); the button leads to
    paying the invoice."""

    @http.route(
        "/publication/renew/<int:subscription_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
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
            invoice = subscription._invoice_to_show_online()
        if invoice:
            return request.redirect(invoice.get_portal_url())
        values = self._prepare_portal_layout_values()
        values.update(self._subscription_renew_values(subscription, access_token))
        return request.render("publication_crm.portal_subscription_renew", values)

    def _subscription_renew_values(self, subscription, access_token):
        return {
            "page_name": "publication_renew",
            "subscription": subscription,
            "offer": subscription._online_offer(),
            "access_token": access_token,
        }
