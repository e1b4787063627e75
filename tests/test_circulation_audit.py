import io
from collections import Counter, defaultdict
from datetime import date, datetime

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from .common import pdf_text
from .test_distribution import DistributionCommon

FI, DE = "base.fi", "base.de"
CIRCULATION = ("paid", "member", "sponsored", "trial", "complimentary")
# the lists of January, February and March, written by hand:
# (kind, circulation, delivery method, postal code, country, copies)
LISTS = {
    date(2026, 1, 1): [
        ("subscription", "paid", "carrier", "00100", FI, 2),
        ("subscription", "paid", "post", "00250", FI, 1),
        ("subscription", "member", "post", "33100", FI, 1),
        ("subscription", "sponsored", "carrier", "00500", FI, 3),
        ("subscription", "trial", "digital", False, False, 1),
        ("proof", "complimentary", "post", "33200", FI, 1),
        ("extra", "spare", "carrier", False, False, 5),
    ],
    date(2026, 2, 1): [
        ("subscription", "paid", "carrier", "00100", FI, 2),
        ("subscription", "paid", "digital", "33100", FI, 1),
        ("subscription", "member", "post", "331 00", FI, 2),
        ("subscription", "complimentary", "post", "10115", DE, 1),
        ("replacement", "replacement", "carrier", "00100", FI, 1),
        ("extra", "spare", "carrier", False, False, 5),
    ],
    date(2026, 3, 1): [
        ("subscription", "paid", "carrier", "00100", FI, 2),
        ("subscription", "paid", "post", "00250", FI, 1),
        ("subscription", "sponsored", "carrier", "00500", FI, 3),
        # a postal code typed as a formula: a text cell in the workbook
        ("subscription", "trial", "digital", "=HYPERLINK(1)", False, 1),
        ("extra", "spare", "carrier", False, False, 4),
    ],
    # frozen after the cut-off: not counted
    date(2026, 5, 1): [("subscription", "paid", "carrier", "00100", FI, 100)],
}
# frozen in UTC; the company is in Helsinki (UTC+2, UTC+3 in summer)
FROZEN = {
    date(2026, 1, 1): datetime(2025, 12, 20, 8, 0),
    date(2026, 2, 1): datetime(2026, 1, 20, 8, 0),
    date(2026, 3, 1): datetime(2026, 2, 28, 21, 30),  # 23:30 in Helsinki
    date(2026, 5, 1): datetime(2026, 5, 15, 22, 30),  # 16 May 01:30 in Helsinki
}
# per issue, counted by hand from LISTS
BY_HAND = {
    # paid, member, sponsored, trial, complimentary, circulation, spare,
    # replacement, total
    date(2026, 1, 1): (3, 1, 3, 1, 1, 9, 5, 0, 14),
    date(2026, 2, 1): (3, 2, 0, 0, 1, 6, 5, 1, 12),
    date(2026, 3, 1): (3, 0, 3, 1, 0, 7, 4, 0, 11),
}
TOTAL_BY_HAND = (9, 3, 6, 2, 2, 22, 14, 1, 37)
AVERAGE_BY_HAND = (3.0, 1.0, 2.0, 0.7, 0.7, 7.3, 4.7, 0.3, 12.3)
KEYS = (*CIRCULATION, "circulation", "spare", "replacement", "total")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestCirculationAudit(DistributionCommon, HttpCase):
    """Lists of January to March written by hand and counted by hand; April
    not frozen; May frozen after the cut-off. An HttpCase: wkhtmltopdf loads
    the report's style sheets from the server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "Europe/Helsinki"
        cls.portal_user = cls._new_user("circ_portal", "base.group_portal")

    def setUp(self):
        super().setUp()
        Line = self.env["publication.distribution.line"].sudo()
        for day, lines in LISTS.items():
            issue = self._issue(self.monthly, day)
            Line.create(
                [
                    {
                        "issue_id": issue.id,
                        "kind": kind,
                        "circulation": circulation,
                        "delivery_method": method,
                        "zip": zip_code,
                        "country_id": country and self.env.ref(country).id,
                        "copies": copies,
                    }
                    for kind, circulation, method, zip_code, country, copies in lines
                ]
            )
            issue.sudo().distribution_frozen_date = FROZEN[day]
        self.jan, self.feb, self.mar, self.apr, self.may = (
            self._issue(self.monthly, date(2026, month, 1)) for month in range(1, 6)
        )

    def _wizard(self, user=None, **vals):
        return (
            self.env["publication.circulation.audit"]
            .with_user(user or self.user)
            .create(
                {
                    "publication_id": self.monthly.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-05-31",
                    "cutoff_date": "2026-05-15",
                }
                | vals
            )
        )

    def _hand_count(self, key):
        """Copies of the three lists per key(line) and category, counted in
        Python from the lines themselves."""
        counts = defaultdict(Counter)
        lines = (self.jan | self.feb | self.mar).distribution_line_ids
        for line in lines:
            counts[key(line)][line.circulation] += line.copies
            counts[key(line)]["total"] += line.copies
            if line.circulation in CIRCULATION:
                counts[key(line)]["circulation"] += line.copies
        return {
            name: tuple(round(counts[name][k] / 3, 1) for k in KEYS) for name in counts
        }

    @staticmethod
    def _method(line):
        return line.delivery_method.capitalize()

    @staticmethod
    def _region(line):
        area = (line.zip or "").replace(" ", "").upper()[:2]
        return " ".join(
            filter(None, [line.country_id.code, area or "(no postal code)"])
        )

    def test_figures_equal_a_hand_count_of_the_frozen_lists(self):
        figures = self._wizard()._audit()
        self.assertEqual(
            [item["issue"] for item in figures["issues"]],
            [self.jan, self.feb, self.mar],
            "only the lists frozen by the end of the cut-off day (Helsinki) count",
        )
        for item in figures["issues"]:
            self.assertEqual(
                tuple(item["counts"][k] for k in KEYS),
                BY_HAND[item["issue"].date],
                item["issue"].name,
            )
        self.assertEqual(tuple(figures["total"][k] for k in KEYS), TOTAL_BY_HAND)
        self.assertEqual(tuple(figures["average"][k] for k in KEYS), AVERAGE_BY_HAND)
        self.assertEqual(
            [(item["issue"], item["reason"]) for item in figures["excluded"]],
            [
                (self.apr, "no frozen distribution list"),
                (
                    self.may,
                    "list frozen on 05/16/2026 01:30:00 AM, after the cut-off date",
                ),
            ],
        )
        methods = {
            item["name"]: tuple(item["average"][k] for k in KEYS)
            for item in figures["methods"]
        }
        self.assertEqual(list(methods), ["Post", "Carrier", "Digital"])
        self.assertEqual(
            methods,
            self._hand_count(self._method),
        )
        self.assertEqual(methods["Carrier"][0], round(6 / 3, 1), "paid by carrier")
        regions = {
            item["name"]: tuple(item["average"][k] for k in KEYS)
            for item in figures["regions"]
        }
        self.assertEqual(regions, self._hand_count(self._region))
        self.assertEqual(
            list(regions),
            ["=H", "DE 10", "FI 00", "FI 33", "(no postal code)"],
            "regions in order, the lines without postal code last",
        )
        self.assertEqual(regions["FI 33"][1], 1.0, "3 member copies in 331xx")
        self.assertEqual(
            sum(row[-1] for row in figures["detail"]), 37, "the detail sums the lists"
        )

    def test_the_list_category_written_when_frozen(self):
        """Freezing the April list writes each line's category from its
        subscription's origin and price, its kind for the others."""
        Partner = self.env["res.partner"]
        readers = {
            name: Partner.create({"name": name, "zip": "10200"})
            for name in ("Dave", "Erin", "Frank", "Gina", "Hank")
        }
        self._confirmed(recipient_id=readers["Dave"].id, origin="member")
        self._confirmed(recipient_id=readers["Erin"].id, origin="trial")
        self._confirmed(recipient_id=readers["Frank"].id, payer_id=self.sponsor.id)
        self._confirmed(
            recipient_id=readers["Gina"].id,
            payer_id=self.sponsor.id,
            origin="sponsored",
        )
        self._subscription(
            user=self.manager, recipient_id=readers["Hank"].id, price_unit=0.0
        ).action_confirm()
        self.route_north.extra_copies = 5
        self.bakery.write({"zip": "10650"})
        self._book(
            self._contract(), self.apr.date, user=self.manager, deadline_override=True
        )
        self.env["publication.issue.replacement"].create(
            {"issue_id": self.apr.id, "subscription_id": self.bob_sub.id}
        )
        self.apr.with_user(self.manager).action_freeze_distribution()
        categories = {
            (line.kind, line.name): line.circulation
            for line in self.apr.distribution_line_ids
        }
        self.assertEqual(
            categories,
            {
                ("subscription", "Alice"): "paid",
                ("subscription", "Bob"): "paid",
                ("subscription", "Carol"): "paid",
                ("subscription", "Dave"): "member",
                ("subscription", "Erin"): "trial",
                ("subscription", "Frank"): "sponsored",
                ("subscription", "Gina"): "sponsored",
                ("subscription", "Hank"): "complimentary",
                ("proof", "Bakery"): "complimentary",
                ("extra", False): "spare",
                ("replacement", "Bob"): "replacement",
            },
        )
        # a list frozen before lists held the category: read from the
        # subscriptions and kinds, the same figures
        april = {
            "date_from": "2026-04-01",
            "date_to": "2026-04-30",
            "cutoff_date": "2026-06-01",
        }
        before = self._wizard(**april)._audit()
        self.assertEqual(before["issue_count"], 1)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE publication_distribution_line SET circulation = NULL "
                "WHERE issue_id = %s",
                self.apr.id,
            )
        )
        self.env["publication.distribution.line"].invalidate_model(["circulation"])
        after = self._wizard(**april)._audit()
        self.assertEqual(after["total"], before["total"])
        self.assertEqual(
            (after["total"]["paid"], after["total"]["sponsored"]), (2 + 3 + 1, 2)
        )

    def test_pdf_states_method_figures_and_issues_left_out(self):
        audit = self._wizard()
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "publication_crm.action_report_circulation_audit", audit.ids
            )
        )
        self.assertEqual(kind, "pdf")
        text, _images = pdf_text(pdf)
        words = " ".join(text.split())
        self.assertIn("Circulation Audit", words)
        self.assertIn(
            "Parish Monthly, issues from 01/01/2026 to 05/31/2026, lists frozen by "
            "05/15/2026",
            words,
        )
        self.assertIn("Issues counted: 3", words)
        self.assertIn("first 2 characters of the postal code", words)
        self.assertIn(
            f"{self.apr.name} (04/01/2026): no frozen distribution list", words
        )
        self.assertIn("after the cut-off date", words)
        rows = {
            line.split()[0] + " " + line.split()[1]: line.split()[2:]
            for line in text.splitlines()
            if line.split()[:1] == ["PM"] and len(line.split()) > 5
        }
        for issue in (self.jan, self.feb, self.mar):
            self.assertEqual(
                rows[issue.name],
                [issue.date.strftime("%m/%d/%Y")]
                + [str(n) for n in BY_HAND[issue.date]],
            )
        self.assertIn("Total " + " ".join(map(str, TOTAL_BY_HAND)), words)
        self.assertIn(
            "Average per issue " + " ".join(f"{n:.1f}" for n in AVERAGE_BY_HAND), words
        )
        self.assertIn("FI 33 0.3 1.0", words, "member copies by region")
        self.assertNotIn(self.may.name + " 05/01/2026 100", words)

    def test_xlsx_reads_back_equal_with_text_cells(self):
        audit = self._wizard()
        figures = audit._audit()
        content, kind = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            ._render_xlsx(
                "publication_crm.report_circulation_audit_xlsx", audit.ids, {}
            )
        )
        self.assertEqual(kind, "xlsx")
        book = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(
            book.sheetnames,
            ["Summary", "Issues", "Delivery Methods", "Regions", "Detail"],
        )
        issues = [list(row) for row in book["Issues"].iter_rows(values_only=True)]
        self.assertEqual(issues[0][:3], ["Issue", "Date", "Paid"])
        self.assertEqual(
            [(row[0], tuple(row[2:])) for row in issues[1:4]],
            [
                (issue.name, BY_HAND[issue.date])
                for issue in self.jan | self.feb | self.mar
            ],
        )
        self.assertEqual(tuple(issues[4][2:]), TOTAL_BY_HAND)
        self.assertEqual(tuple(issues[5][2:]), AVERAGE_BY_HAND)
        regions = {
            row[0]: tuple(row[1:])
            for row in book["Regions"].iter_rows(min_row=2, values_only=True)
        }
        self.assertEqual(regions, self._hand_count(self._region))
        formula = next(cell for cell in book["Regions"]["A"] if cell.value == "=H")
        self.assertEqual(formula.data_type, "s", "a text cell, not a formula")
        methods = {
            row[0]: tuple(row[1:])
            for row in book["Delivery Methods"].iter_rows(min_row=2, values_only=True)
        }
        self.assertEqual(
            methods,
            self._hand_count(self._method),
        )
        detail = list(book["Detail"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(detail, [tuple(row) for row in figures["detail"]])
        self.assertEqual(sum(row[-1] for row in detail), 37)
        summary = [row[:2] for row in book["Summary"].iter_rows(values_only=True)]
        self.assertIn(("Issues counted", 3), summary)
        self.assertIn((self.apr.name, "no frozen distribution list"), summary)
        for sheet in book:
            for row in sheet.iter_rows():
                for cell in row:
                    self.assertNotEqual(cell.data_type, "f", cell.coordinate)

    def test_publication_users_run_it_portal_users_cannot(self):
        audit = self._wizard(user=self.user)
        self.assertEqual(audit.with_user(self.user)._audit()["issue_count"], 3)
        self.assertTrue(audit.with_user(self.user).action_print_pdf())
        with self.assertRaises(AccessError):
            self._wizard(user=self.portal_user)
        with self.assertRaises(AccessError):
            audit.with_user(self.portal_user).read(["method"])

    def test_publication_of_another_company_refused(self):
        company_b = self.setup_other_company()["company"]
        publication_b = self.env["publication.publication"].create(
            {
                "name": "Other Weekly",
                "code": "OW",
                "issues_per_year": 52,
                "product_id": self.product.id,
                "company_id": company_b.id,
            }
        )
        audit = self._wizard(publication_id=publication_b.id)
        with self.assertRaises(AccessError):
            audit._audit()

    def test_bad_period_and_region_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "Period From .* must not be after"
        ):
            self._wizard(date_from="2026-06-01", date_to="2026-05-31")
        with self.assertRaisesRegex(ValidationError, "between 1 and 5, not 0"):
            self._wizard(region_digits=0)
