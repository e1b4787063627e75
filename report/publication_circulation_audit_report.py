from odoo import api, models


class ReportCirculationAudit(models.AbstractModel):
    """The audited circulation as a PDF: the method, the issues counted and
    those left out, the counts of each issue with their total and average, and
    the averages per issue by delivery method and by region."""

    _name = "report.publication_crm.report_circulation_audit"
    _description = "Circulation Audit (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        audits = self.env["publication.circulation.audit"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "publication.circulation.audit",
            "docs": audits,
            "figures": {audit.id: audit._audit() for audit in audits},
            "columns": audits[:1]._columns() if audits else [],
        }
