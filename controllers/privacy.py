"""Data protection on the portal: a logged-in reader downloads what the add-on
holds on them (their company's or their own subscriptions as payer or
recipient, periods, invoices, tickets, addresses, marketing consent and its
history) as JSON or CSV."""

import json

from odoo import fields, http
from odoo.http import request

from ..utils.spreadsheet import csv_bytes


class PublicationPrivacyPortal(http.Controller):
    def _privacy_data(self):
        partner = request.env.user.partner_id
        return {
            "exported_on": fields.Datetime.now().isoformat(),
            "partner": partner.commercial_partner_id.name,
            **partner.sudo()._privacy_export(),
        }

    def _privacy_download(self, content, content_type, extension):
        name = f"my_data_{fields.Date.context_today(request.env.user)}.{extension}"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", content_type),
                ("Content-Disposition", f'attachment; filename="{name}"'),
                ("Cache-Control", "no-store"),
            ],
        )

    @http.route("/my/privacy/export.json", type="http", auth="user", methods=["GET"])
    def portal_privacy_export_json(self, **kwargs):
        content = json.dumps(self._privacy_data(), ensure_ascii=False, indent=1)
        return self._privacy_download(content, "application/json", "json")

    @http.route("/my/privacy/export.csv", type="http", auth="user", methods=["GET"])
    def portal_privacy_export_csv(self, **kwargs):
        """One line per value: section, record (its number in the section),
        field, value."""
        rows = []
        for section, records in self._privacy_data().items():
            if not isinstance(records, list):
                records = [{section: records}]
                section = "export"
            for number, record in enumerate(records, start=1):
                rows += [
                    (section, number, field, value) for field, value in record.items()
                ]
        content = csv_bytes(["section", "record", "field", "value"], rows)
        return self._privacy_download(content, "text/csv; charset=utf-8", "csv")
