import csv
import io
import re
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfReader

from .test_distribution import DistributionCommon

LABEL_REPORTS = {
    # report, labels per page
    "publication_crm.action_report_issue_labels": 24,
    "publication_crm.action_report_issue_labels_2x7": 14,
    "publication_crm.action_report_issue_labels_roll": 1,
}


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestDistributionDocuments(DistributionCommon, HttpCase):
    """26 addresses on the March list: Alice, Bob, and 24 readers on the two
    routes in a scrambled order (Carol is digital: no label)."""

    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        readers = Partner.create(
            [
                {
                    "name": f"Reader {n:02d}",
                    "zip": f"10{(n * 7) % 10}{n % 10}{n // 10}",
                    "street": f"{n} High Street",
                    "city": "Valley",
                }
                for n in range(24)
            ]
        )
        self.readers = self.env["publication.subscription"].create(
            [
                {
                    "recipient_id": reader.id,
                    "publication_id": self.monthly.id,
                    "plan_id": self.plan_annual.id,
                    "date_start": "2026-01-01",
                    "route_stop": 30 - n,
                }
                for n, reader in enumerate(readers)
            ]
        )
        self.readers.action_confirm()
        self.march.with_user(self.manager).action_freeze_distribution()

    def _pdf(self, xmlid, issue, data=None):
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(xmlid, issue.ids, data=data)
        )
        self.assertEqual(kind, "pdf")
        self.assertEqual(pdf[:5], b"%PDF-")
        return PdfReader(io.BytesIO(pdf))

    def _html_names(self, xmlid, issue, data=None):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(xmlid, issue.ids, data=data)[0]
            .decode()
        )
        return html, re.findall(r"\b(Alice|Bob|Carol|Eve|Reader \d\d)\b", html)

    def _expected_label_order(self):
        lines = self.march.distribution_line_ids.filtered(
            lambda line: line.delivery_method != "digital"
        )
        return [
            line.name
            for line in lines.sorted(
                lambda line: (line.route_id.sequence, line.route_id.id, line.zip)
            )
        ]

    def test_labels_are_real_pdfs_in_route_and_postal_code_order(self):
        for xmlid, per_page in LABEL_REPORTS.items():
            pdf = self._pdf(xmlid, self.march)
            self.assertEqual(len(pdf.pages), -(-26 // per_page), xmlid)
            html, names = self._html_names(xmlid, self.march)
            self.assertEqual(names, self._expected_label_order(), xmlid)
            self.assertEqual(html.count(" copies</div>"), 2, "Alice 2, Bob 3")
        first = self._pdf("publication_crm.action_report_issue_labels", self.march)
        text = " ".join(first.pages[0].extract_text().split())
        self.assertIn("1 Church Lane", text)
        self.assertIn("2 copies", text)

    def test_one_label_per_address(self):
        self.env["publication.issue.replacement"].create(
            {"issue_id": self.march.id, "subscription_id": self.bob_sub.id}
        )
        _html, names = self._html_names(
            "publication_crm.action_report_issue_labels", self.march
        )
        self.assertEqual(names.count("Bob"), 1, "the replacement joins Bob's label")

    def test_documents_need_a_frozen_list(self):
        with self.assertRaisesRegex(UserError, "is not frozen yet"):
            self._html_names("publication_crm.action_report_issue_labels", self.april)
        with self.assertRaisesRegex(UserError, "is not frozen yet"):
            self.april.action_export_counts_csv()

    def test_route_sheets_in_stop_order_with_changes_and_totals(self):
        # April: a new reader, Bob moves within his route, Reader 00 stops
        eve = self.env["res.partner"].create({"name": "Eve", "zip": "10650"})
        self._confirmed(recipient_id=eve.id, date_start="2026-04-01", quantity=4)
        self.bob.street = "11 Mill Road"
        with freeze_time("2026-03-31"):  # on the day: a later date plans it
            self.readers[0]._cancel(date(2026, 3, 31), self.reason_moved)
        self.route_south.extra_copies = 10
        self.april.with_user(self.manager).action_freeze_distribution()
        xmlid = "publication_crm.action_report_issue_route_sheet"
        pdf = self._pdf(xmlid, self.april)
        self.assertEqual(len(pdf.pages), 2, "one page per route")
        html, _names = self._html_names(xmlid, self.april)
        south = html[html.index("Route S") :]
        rows = re.findall(r"<tr>(.*?)</tr>", south, re.DOTALL)
        texts = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows
        ]
        stops = [t for t in texts if re.search(r"Reader|Bob|Eve", t)]
        south_lines = self.april.distribution_line_ids.filtered(
            lambda line: line.route_id == self.route_south and line.kind != "extra"
        )
        expected = [
            line.name
            for line in south_lines.sorted(lambda line: (line.stop, line.zip or ""))
        ]
        self.assertEqual(
            [re.search(r"Reader \d\d|Bob|Eve", t)[0] for t in stops][: len(expected)],
            expected,
        )
        self.assertIn("Bob 11 Mill Road, 10600 Southtown 3 moved", stops)
        self.assertIn("Eve 10650 4 new", stops)
        self.assertIn(
            "Extra copies of the route 10", [t for t in texts if "Extra" in t]
        )
        total = sum(south_lines.mapped("copies")) + 10
        self.assertIn(f"Total: {len(south_lines)} addresses {total}", texts)
        north = html[html.index("Route N") : html.index("Route S")]
        self.assertRegex(north, r"(?s)<del>Reader 00</del>.*stopped")

    def test_route_sheet_of_one_route(self):
        html, names = self._html_names(
            "publication_crm.action_report_issue_route_sheet",
            self.march,
            data={"route_ids": self.route_north.ids},
        )
        self.assertNotIn("Route S", html)
        self.assertEqual(names[0], "Alice", "stop 3 first")
        self.assertEqual(names[-1], "Reader 00", "stop 30 last")

    def test_counts_csv_and_xlsx_total_the_list(self):
        action = self.march.action_export_counts_csv()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        rows = list(csv.reader(io.StringIO(attachment.raw.decode())))
        self.assertEqual(rows[0][-2:], ["Addresses", "Copies"])
        body, total = rows[1:-1], rows[-1]
        lines = self.march.distribution_line_ids
        self.assertEqual(self.march.print_run, 2 + 3 + 1 + 24)
        self.assertEqual(total, ["", "Total", "", "", str(len(lines)), "30"])
        self.assertEqual(sum(int(row[-1]) for row in body), 30)
        self.assertEqual(sum(int(row[-2]) for row in body), len(lines))
        by_zip = {(row[0], row[2], row[3]): int(row[-1]) for row in body}
        self.assertEqual(by_zip["N", "10100", "Carrier"], 2)
        self.assertEqual(by_zip["D", "20000", "Digital"], 1)
        content, kind = self.env["ir.actions.report"]._render_xlsx(
            "publication_crm.report_issue_counts_xlsx", self.march.ids, {}
        )
        self.assertEqual(kind, "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        values = [
            ["" if v is None else str(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        self.assertEqual(values, rows)
