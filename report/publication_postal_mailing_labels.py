from odoo import api, models
from odoo.tools import split_every

from odoo.addons.base.models.ir_actions_report import _wkhtml

from .publication_issue_labels import LAYOUTS, UNPATCHED_QT_SCALE


class ReportPostalMailingLabels(models.AbstractModel):
    """Address labels of a postal mailing's recipients, on the issue labels'
    sheets (A4, 3 x 8)."""

    _name = "report.publication_crm.report_postal_mailing_labels"
    _description = "Postal Mailing Labels"

    @api.model
    def _get_report_values(self, docids, data=None):
        mailings = self.env["publication.postal.mailing"].browse(docids)
        layout = LAYOUTS["3x8"]
        scale = 1.0 if _wkhtml().is_patched_qt else UNPATCHED_QT_SCALE
        per_sheet = layout["columns"] * layout["rows"]
        home = self.env.company.country_id
        labels = {
            mailing.id: [
                {"lines": line._address_lines(home), "copies": 1}
                for line in mailing.line_ids
            ]
            for mailing in mailings
        }
        return {
            "doc_ids": docids,
            "doc_model": "publication.postal.mailing",
            "docs": mailings,
            "layout": layout,
            "mm": lambda length: f"{length * scale:.2f}mm",
            "sheets": [
                list(split_every(layout["columns"], sheet))
                for mailing in mailings
                for sheet in split_every(per_sheet, labels[mailing.id])
            ],
        }
