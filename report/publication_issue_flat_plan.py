from odoo import api, models


class ReportIssueFlatPlan(models.AbstractModel):
    """The flat plan of an issue for the layout desk and the printer: its
    pages side by side, each with its advertisements and free space."""

    _name = "report.publication_crm.report_issue_flat_plan"
    _description = "Flat Plan"

    @api.model
    def _get_report_values(self, docids, data=None):
        issues = self.env["publication.issue"].browse(docids)
        return issues._flat_plan_values() | {
            "doc_ids": docids,
            "doc_model": "publication.issue",
        }
