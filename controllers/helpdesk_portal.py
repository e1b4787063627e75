from odoo import http
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk


class PublicationHelpdeskPortal(CustomerPortalHelpdesk):
    """The search bar of /my/tickets in the reader's language.

    helpdesk_mgmt writes its labels with its own code translations, which it
    ships for neither Finnish nor Chinese, and which no other add-on can
    supply (Odoo reads a module's code translations from that module's folder
    only). The field labels come from the database (translated with
    helpdesk_mgmt's terms in i18n_extra/), the other words from this add-on.
    """

    @http.route()
    def portal_my_tickets(self, *args, **kwargs):
        response = super().portal_my_tickets(*args, **kwargs)
        qcontext = getattr(response, "qcontext", None)
        if qcontext and "searchbar_sortings" in qcontext:
            self._translate_ticket_searchbar(qcontext)
        return response

    def _translate_ticket_searchbar(self, qcontext):
        env = request.env
        field_labels = {
            name: description["string"]
            for name, description in env["helpdesk.ticket"]
            .fields_get(
                ["name", "stage_id", "last_stage_update", "category_id"], ["string"]
            )
            .items()
        }
        labels = {
            "searchbar_sortings": {
                "date": env._("Newest"),
                "name": field_labels["name"],
                "stage": field_labels["stage_id"],
                "update": field_labels["last_stage_update"],
            },
            "searchbar_groupby": {
                "none": env._("None"),
                "category": field_labels["category_id"],
                "stage": field_labels["stage_id"],
            },
            "searchbar_inputs": {
                "all": env._("Search in All"),
                "number": env._("Search in Number"),
                "name": env._("Search in Title"),
            },
            "searchbar_filters": {"all": env._("All")},
        }
        for key, translated in labels.items():
            options = qcontext.get(key) or {}
            for option, label in translated.items():
                if option in options:
                    options[option] = dict(options[option], label=label)
