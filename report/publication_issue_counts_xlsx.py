from odoo import models

from ..models.publication_issue.print import COUNT_COLUMNS
from ..utils.spreadsheet import write_xlsx_row


class ReportIssueCountsXlsx(models.AbstractModel):
    """Counts of a frozen distribution list for the post office and the
    printer: one sheet per issue, a row per route, postal code and delivery
    method, and the list's total."""

    _name = "report.publication_crm.report_issue_counts_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Distribution Counts (XLSX)"

    def generate_xlsx_report(self, workbook, data, issues):
        bold = workbook.add_format({"bold": True})
        for issue in issues:
            rows, total = issue._distribution_counts()
            sheet = workbook.add_worksheet(issue.name.replace("/", "-")[:31])
            write_xlsx_row(sheet, 0, issue._count_headers(), bold)
            for number, row in enumerate(rows, start=1):
                write_xlsx_row(sheet, number, [row[column] for column in COUNT_COLUMNS])
            write_xlsx_row(
                sheet, len(rows) + 1, [total[column] for column in COUNT_COLUMNS], bold
            )
            sheet.set_column(0, 0, 10)
            sheet.set_column(1, 1, 24)
            sheet.set_column(2, 5, 14)
