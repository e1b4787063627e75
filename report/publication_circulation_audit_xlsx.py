from odoo import models

from ..utils.spreadsheet import write_xlsx_row


class ReportCirculationAuditXlsx(models.AbstractModel):
    """The audited circulation as a workbook: a summary (method, issues left
    out), the counts of each issue, the averages by delivery method and by
    region, and the detail by issue, category, delivery method and region to
    check against the lists. Every text goes through write_xlsx_row (a string
    cell, never a formula)."""

    _name = "report.publication_crm.report_circulation_audit_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Circulation Audit (XLSX)"

    def generate_xlsx_report(self, workbook, data, audits):
        bold = workbook.add_format({"bold": True})
        for audit in audits[:1]:
            figures = audit._audit()
            columns = audit._columns()
            keys = [key for key, _heading in columns]
            headings = [heading for _key, heading in columns]
            self._summary_sheet(workbook, audit, figures, bold)
            sheet = workbook.add_worksheet(self.env._("Issues"))
            write_xlsx_row(
                sheet, 0, [self.env._("Issue"), self.env._("Date"), *headings], bold
            )
            row = 0
            for row, item in enumerate(figures["issues"], start=1):
                issue = item["issue"]
                write_xlsx_row(
                    sheet,
                    row,
                    [
                        issue.name,
                        str(issue.date),
                        *(item["counts"][key] for key in keys),
                    ],
                )
            write_xlsx_row(
                sheet,
                row + 1,
                [self.env._("Total"), "", *(figures["total"][key] for key in keys)],
                bold,
            )
            write_xlsx_row(
                sheet,
                row + 2,
                [
                    self.env._("Average per Issue"),
                    "",
                    *(figures["average"][key] for key in keys),
                ],
                bold,
            )
            sheet.set_column(0, 1, 14)
            sheet.set_column(2, len(keys) + 1, 12)
            for name, heading, items in (
                (
                    self.env._("Delivery Methods"),
                    self.env._("Delivery Method (average copies per issue)"),
                    figures["methods"],
                ),
                (
                    self.env._("Regions"),
                    self.env._("Region (average copies per issue)"),
                    figures["regions"],
                ),
            ):
                sheet = workbook.add_worksheet(name)
                write_xlsx_row(
                    sheet,
                    0,
                    [heading, *headings],
                    bold,
                )
                for row, item in enumerate(items, start=1):
                    write_xlsx_row(
                        sheet,
                        row,
                        [item["name"], *(item["average"][key] for key in keys)],
                    )
                sheet.set_column(0, 0, 18)
                sheet.set_column(1, len(keys), 12)
            sheet = workbook.add_worksheet(self.env._("Detail"))
            write_xlsx_row(
                sheet,
                0,
                [
                    self.env._("Issue"),
                    self.env._("Category"),
                    self.env._("Delivery Method"),
                    self.env._("Region"),
                    self.env._("Copies"),
                ],
                bold,
            )
            for row, values in enumerate(figures["detail"], start=1):
                write_xlsx_row(sheet, row, list(values))
            sheet.set_column(0, 3, 18)

    def _summary_sheet(self, workbook, audit, figures, bold):
        sheet = workbook.add_worksheet(self.env._("Summary"))
        rows = [
            [self.env._("Circulation Audit")],
            [audit._period_text()],
            [self.env._("Issues counted"), figures["issue_count"]],
            [self.env._("Counting Method"), audit.method or ""],
            [],
            [self.env._("Issues not counted"), self.env._("Reason")],
            *([item["issue"].name, item["reason"]] for item in figures["excluded"]),
        ]
        for row, values in enumerate(rows):
            write_xlsx_row(sheet, row, values, bold if row in (0, 5) else None)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, 100)
