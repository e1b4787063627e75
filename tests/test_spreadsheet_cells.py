"""No text typed by a reader or a user runs as a formula in the spreadsheets the
add-on writes (OWASP's rule on CSV injection; XLSX text as string cells)."""

import csv
import io

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .common import PublicationCommon
from .test_distribution import DistributionCommon

# what a spreadsheet would run, and what the add-on writes instead (the file of
# rejected lines of a register import: see test_register_import)
FORMULAS = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+1": "'+1",
    "-2+3": "'-2+3",
    "@SUM(1)": "'@SUM(1)",
    "\tx": "'\tx",
    "\rx": "'\rx",
}


def read_csv(content):
    return list(csv.reader(io.StringIO(content.decode(), newline="")))


@tagged("post_install", "-at_install")
class TestPostalMailingCsv(PublicationCommon):
    def test_every_cell_neutralised(self):
        texts = list(FORMULAS)
        partners = self.env["res.partner"].create(
            [
                {
                    "name": text,
                    "street": text,
                    "street2": text,
                    "zip": text,
                    "city": text,
                }
                for text in texts
            ]
        )
        segment = self.env["publication.segment"].create(
            {
                "name": "Readers",
                "model_name": "res.partner",
                "domain": repr([("id", "in", partners.ids)]),
            }
        )
        mailing = self.env["publication.postal.mailing"].create(
            {"name": "Letters", "segment_id": segment.id, "body": "<p>Hello</p>"}
        )
        mailing.action_prepare()
        rows = read_csv(mailing._csv())
        self.assertEqual(rows[0][:2], ["name", "street"])
        self.assertCountEqual(
            [row[:5] for row in rows[1:]],
            [[FORMULAS[text]] * 5 for text in texts],
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestCountsFiles(DistributionCommon):
    """The counts of a frozen list: text cells neutralised in the CSV, strings
    in the XLSX; the counts stay numbers."""

    def setUp(self):
        super().setUp()
        self.route_north.write({"name": '=HYPERLINK("http://x","y")', "code": "+1"})
        self.route_south.name = "@SUM(1)"
        self.carol.zip = "-2+3"
        self.march.with_user(self.manager).action_freeze_distribution()

    def test_csv_cells_neutralised(self):
        rows = read_csv(self.march._counts_csv())
        by_route = {row[1]: row for row in rows[1:]}
        north = by_route[FORMULAS['=HYPERLINK("http://x","y")']]
        self.assertEqual(north[0], "'+1")
        self.assertEqual(north[-2:], ["1", "2"], "Alice: 1 address, 2 copies")
        self.assertIn(FORMULAS["@SUM(1)"], by_route)
        self.assertEqual(by_route["E-paper"][2], "'-2+3")

    def test_xlsx_cells_are_strings(self):
        content, _kind = self.env["ir.actions.report"]._render_xlsx(
            "publication_crm.report_issue_counts_xlsx", self.march.ids, {}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = {
            row[1].value: row for row in sheet.iter_rows(min_row=2) if row[1].value
        }
        north = cells['=HYPERLINK("http://x","y")']
        self.assertEqual(
            [cell.data_type for cell in north], ["s", "s", "s", "s", "n", "n"]
        )
        self.assertEqual((north[0].value, north[-1].value), ("+1", 2))
        self.assertEqual(cells["@SUM(1)"][1].data_type, "s")
        self.assertEqual(cells["E-paper"][2].value, "-2+3")
        self.assertEqual(cells["E-paper"][2].data_type, "s")
