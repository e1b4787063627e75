from odoo import api, models
from odoo.tools import SQL, split_every

from odoo.addons.base.models.ir_actions_report import _wkhtml

# label layouts: columns and rows per sheet, label size in mm
LAYOUTS = {
    "3x8": {"columns": 3, "rows": 8, "width": 70.0, "height": 36.9},
    "2x7": {"columns": 2, "rows": 7, "width": 105.0, "height": 42.2},
    "roll": {"columns": 1, "rows": 1, "width": 89.0, "height": 35.0},
}


# Debian's wkhtmltopdf (unpatched Qt) prints CSS millimetres at 0.769 of their
# size whatever --zoom and --dpi say (measured); a patched build prints them 1:1.
UNPATCHED_QT_SCALE = 1.3


class ReportIssueLabels(models.AbstractModel):
    """Address labels of an issue's frozen distribution list: one label per
    address (copies summed) in route, postal code, street order; digital
    copies and a route's extra copies get none."""

    _name = "report.publication_crm.report_issue_labels"
    _description = "Address Labels"

    _layout = "3x8"

    @api.model
    def _labels(self, issues):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT l.issue_id, l.name, l.street, l.street2, l.zip, l.city,
                          l.country_id, SUM(l.copies)
                     FROM publication_distribution_line l
                LEFT JOIN publication_route r ON r.id = l.route_id
                    WHERE l.issue_id = ANY(%s)
                      AND l.delivery_method != 'digital'
                      AND l.kind != 'extra'
                 GROUP BY l.issue_id, r.sequence, r.code, r.id, l.zip, l.street,
                          l.street2, l.city, l.country_id, l.name
                 ORDER BY l.issue_id, r.sequence NULLS LAST, r.code, r.id, l.zip,
                          l.street, l.street2, l.name""",
                issues.ids,
            )
        )
        rows = self.env.cr.fetchall()
        countries = self.env["res.country"].browse({row[6] for row in rows} - {None})
        names = {country.id: country.name for country in countries}
        home = {issue.id: issue.company_id.country_id.id for issue in issues}
        labels = {issue.id: [] for issue in issues}
        for issue_id, name, street, street2, zip_code, city, country, copies in rows:
            lines = [name, street, street2, " ".join(filter(None, [zip_code, city]))]
            if country and country != home[issue_id]:
                lines.append(names[country])
            labels[issue_id].append(
                {"lines": [line for line in lines if line], "copies": copies}
            )
        return labels

    @api.model
    def _get_report_values(self, docids, data=None):
        issues = self.env["publication.issue"].browse(docids)
        issues._check_frozen()
        layout = LAYOUTS[self._layout]
        scale = 1.0 if _wkhtml().is_patched_qt else UNPATCHED_QT_SCALE
        per_sheet = layout["columns"] * layout["rows"]
        labels = self._labels(issues)
        return {
            "doc_ids": docids,
            "doc_model": "publication.issue",
            "docs": issues,
            "layout": layout,
            # CSS millimetres for one millimetre on paper
            "mm": lambda length: f"{length * scale:.2f}mm",
            # each issue starts on a new sheet
            "sheets": [
                list(split_every(layout["columns"], sheet))
                for issue in issues
                for sheet in split_every(per_sheet, labels[issue.id])
            ],
        }


class ReportIssueLabels2x7(models.AbstractModel):
    _name = "report.publication_crm.report_issue_labels_2x7"
    _inherit = "report.publication_crm.report_issue_labels"
    _description = "Address Labels (A4, 2 x 7)"

    _layout = "2x7"


class ReportIssueLabelsRoll(models.AbstractModel):
    _name = "report.publication_crm.report_issue_labels_roll"
    _inherit = "report.publication_crm.report_issue_labels"
    _description = "Address Labels (roll)"

    _layout = "roll"
