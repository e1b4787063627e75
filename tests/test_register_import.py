import base64
import csv
import io
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.publication_crm.models.publication_register_import import TEMPLATE
from odoo.addons.publication_crm.utils.register_rows import COLUMN_NAMES
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import AutomationCommon, CronCommits, PublicationCommon


def csv_file(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMN_NAMES)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def template_rows():
    return list(csv.DictReader(io.StringIO(TEMPLATE)))


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestRegisterImport(AutomationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.monthly.payment_grace_days = 0  # reminders 30, 14 and 3 days before

    def _import_record(self, content, name="register.csv", user=None, **vals):
        return (
            self.env["publication.register.import"]
            .with_user(user or self.manager)
            .create({"file": base64.b64encode(content), "file_name": name} | vals)
        )

    def _import(self, content, **vals):
        """Dry run, then import (batches committed as the scheduler would)."""
        record = self._import_record(content, **vals)
        record.action_dry_run()
        commits = CronCommits(self.env)
        with patch.object(
            self.registry["ir.cron"], "_commit_progress", autospec=True
        ) as progress:
            progress.side_effect = commits
            record.action_import()
        commits.done()
        return record

    def _imported(self, *refs):
        return self.env["publication.subscription"].search(
            [("import_ref", "in", refs)], order="import_ref"
        )

    def _written(self):
        counts = self._counts()
        counts["res.partner"] = self.env["res.partner"].search_count([])
        return counts

    def test_template_imports_every_case(self):
        record = self._import(TEMPLATE.encode())
        self.assertEqual(record.state, "done")
        self.assertEqual((record.created_count, record.rejected_count), (5, 0))
        anna, ben, hall, dora, eli = self._imported(
            "R-1001", "R-1002", "R-1003", "R-1004", "R-1005"
        )
        for subscription in anna | ben | hall | dora | eli:
            self.assertEqual(subscription.state, "active")
            self.assertEqual(len(subscription.period_ids), 1)
            self.assertFalse(subscription.period_ids.invoice_id, "no new invoice")
        self.assertEqual(anna.period_ids.payment_state, "paid")
        self.assertEqual(
            (anna.period_ids.date_start, anna.period_ids.date_end),
            (date(2026, 1, 1), date(2026, 12, 31)),
            "the current term, not the whole subscription",
        )
        self.assertEqual(anna.date_start, date(2024, 1, 1))
        self.assertEqual(anna.recipient_id.ref, "R-1001")
        self.assertEqual(anna.recipient_id.acquisition_source_id.name, "Fair")
        self.assertEqual(anna.recipient_id.lang, "en_US")
        self.assertEqual(anna.route_id, self.route_north, "by postal code")
        self.assertEqual(ben.payer_id.name, "Clara Carter")
        self.assertEqual(ben.origin, "gift")
        self.assertEqual(hall.payer_id.name, "Valley Bank")
        self.assertTrue(hall.payer_id.is_company)
        self.assertEqual((hall.quantity, hall.route_id), (5, self.route_south))
        self.assertEqual(dora.route_id, self.route_north, "by route code")
        self.assertEqual(dora.period_ids.payment_state, "free")
        self.assertEqual(eli.route_id, self.route_digital)
        self.assertEqual(eli.delivery_method, "digital")
        self.assertIn("Board member", dora.note)

    def test_xlsx_file(self):
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(COLUMN_NAMES)
        for row in template_rows():
            cells = [row[name] for name in COLUMN_NAMES]
            for name in ("start", "end"):
                index = COLUMN_NAMES.index(name)
                cells[index] = date.fromisoformat(cells[index])
            cells[COLUMN_NAMES.index("copies")] = int(row["copies"])
            sheet.append(cells)
        out = io.BytesIO()
        book.save(out)
        record = self._import(out.getvalue(), name="register.xlsx")
        self.assertEqual((record.created_count, record.rejected_count), (5, 0))
        self.assertEqual(self._imported("R-1003").quantity, 5)

    def test_every_error_with_line_and_column(self):
        good = template_rows()[0]
        self._confirmed(recipient_id=self.bob.id)  # Bob already receives PM
        self.bob.ref = "B-1"
        cases = [
            ("offer", {"offer": "Weekly"}, "unknown offer"),
            ("end", {"end": "2023-12-31"}, "end before start"),
            ("zip", {"zip": ""}, "no postal code for a print route"),
            ("reference", {"reference": "B-1", "subscriber": "Bob"}, "duplicate"),
            ("payer", {"origin": "gift"}, "payer missing"),
            ("start", {"start": "2026-13-01"}, "bad date"),
            ("copies", {"copies": "two"}, "bad number"),
            ("email", {"email": "anna@"}, "malformed e-mail"),
            ("publication", {"publication": "XX"}, "unknown publication"),
            ("route", {"route": "ZZ"}, "unknown route"),
            ("origin", {"origin": "stolen"}, "unknown origin"),
            ("language", {"language": "xx_XX"}, "language"),
            ("country", {"country": "Atlantis"}, "unknown country"),
            ("subscriber", {"subscriber": ""}, "missing"),
        ]
        rows = [
            good | {"reference": f"E-{n}"} | change
            for n, (_column, change, _reason) in enumerate(cases)
        ]
        rows.append(rows[0] | {"offer": "Annual", "reference": "E-0"})  # twice
        rows.append(rows[-1])
        before = self._written()
        record = self._import_record(csv_file(rows))
        record.action_dry_run()
        self.assertEqual(record.state, "errors")
        found = {(line, column): reason for line, column, _v, reason in record.problems}
        for n, (column, _change, reason) in enumerate(cases):
            self.assertIn(reason, found.get((n + 2, column), ""), (n + 2, column))
        self.assertIn("duplicate", found[(len(rows) + 1, "reference")])
        self.assertIn("Line 3, column end (R), value '2023-12-31'", record.report)
        with self.assertRaises(UserError):
            record.action_import()
        self.assertEqual(self._written(), before, "nothing written")

    def test_unreadable_file_is_refused(self):
        """Bytes that are no CSV (the reader's _csv.Error) or no XLSX (a
        BadZipFile) get a message naming the file; nothing is written."""
        before = self._written()
        for name, content, kind in (
            ("register.csv", b"\x00\x01,\x02\r\x03\xff\x04", "CSV"),
            ("register.xlsx", b"\x00\x01 not a zip \xff", "XLSX"),
            ("register.xlsx", csv_file(template_rows()), "XLSX"),
        ):
            record = self._import_record(content, name=name)
            for action in (record.action_dry_run, record.action_import):
                with self.assertRaisesRegex(
                    UserError, f"{name} cannot be read as a {kind} file"
                ):
                    action()
            self.assertEqual(record.state, "draft")
        self.assertEqual(self._written(), before, "nothing written")

    def test_numbers_and_dates_out_of_bounds_are_rejected(self):
        """Copies inf or nan (an OverflowError or ValueError) or beyond the
        bound, dates outside a register's lifetime: the line is rejected with
        the reason, the other lines are imported."""
        good = template_rows()[0]
        cases = [
            ("copies", value, "bad number (a whole number from 1 to 10000)")
            for value in ("inf", "-inf", "nan", "1e400", "2147483648", "10001")
        ] + [
            (column, value, "date out of range (1900-01-01 to 2199-12-31)")
            for column, value in (
                ("start", "0001-01-01"),
                ("start", "9999-01-01"),
                ("end", "9999-12-31"),
                ("paid_until", "01.01.1899"),
            )
        ]
        rows = [
            good | {"reference": f"E-{n}", "subscriber": f"Reader {n}", column: value}
            for n, (column, value, _reason) in enumerate(cases)
        ]
        rows.append(good | {"copies": "10000"})
        record = self._import(csv_file(rows), valid_only=True)
        self.assertEqual(record.state, "done")
        found = {(line, column): reason for line, column, _v, reason in record.problems}
        for n, (column, value, reason) in enumerate(cases):
            self.assertEqual(found.get((n + 2, column)), reason, (column, value))
        self.assertIn(
            "Line 2, column copies (P), value 'inf': bad number", record.report
        )
        self.assertEqual((record.created_count, record.error_count), (1, len(cases)))
        self.assertEqual(self._imported("R-1001").quantity, 10000)
        self.assertFalse(self._imported(*(row["reference"] for row in rows[:-1])))

    def test_valid_lines_only_and_rejected_file(self):
        rows = template_rows()
        rows[1]["end"] = "2020-01-01"
        record = self._import(csv_file(rows), valid_only=True)
        self.assertEqual((record.created_count, record.error_count), (4, 1))
        rejected = list(
            csv.DictReader(io.StringIO(base64.b64decode(record.rejected_file).decode()))
        )
        self.assertEqual([row["reference"] for row in rejected], ["R-1002"])
        self.assertIn("end before start", rejected[0]["problems"])
        self.assertFalse(self._imported("R-1002"))

    def test_counts_agree_with_the_rejected_file(self):
        """20 lines, 3 with problems and 1 that fails when imported: the dry
        run counts the 3 lines with problems; the import counts
        what it created and what the file of rejected lines holds (4), as
        lines with problems too."""
        base = template_rows()[0]
        rows = [
            base
            | {
                "reference": f"C-{n}",
                "subscriber": f"Reader {n}",
                "email": f"reader{n}@example.com",
            }
            for n in range(20)
        ]
        rows[3]["end"] = "2020-01-01"
        rows[8]["copies"] = "two"
        rows[15]["publication"] = "XX"
        record = self._import_record(csv_file(rows), valid_only=True)
        record.action_dry_run()
        self.assertEqual(
            (record.state, record.line_count, record.error_count), ("errors", 20, 3)
        )
        self.assertEqual(record.rejected_count, 0, "nothing rejected by a dry run")
        Batch = self.registry["publication.register.import.batch"]
        vals = Batch._subscription_vals

        def failing(batch, row):
            if row["reference"] == "C-11":
                raise ValueError("the old system's data is broken")
            return vals(batch, row)

        commits = CronCommits(self.env)
        with (
            patch.object(Batch, "_subscription_vals", failing),
            patch.object(
                self.registry["ir.cron"], "_commit_progress", autospec=True
            ) as progress,
        ):
            progress.side_effect = commits
            record.action_import()
        commits.done()
        rejected = list(
            csv.DictReader(io.StringIO(base64.b64decode(record.rejected_file).decode()))
        )
        self.assertEqual(
            [row["reference"] for row in rejected], ["C-3", "C-8", "C-11", "C-15"]
        )
        self.assertEqual(
            (
                record.state,
                record.created_count,
                record.updated_count,
                record.unchanged_count,
                record.rejected_count,
                record.error_count,
            ),
            ("done", 16, 0, 0, 4, 4),
        )
        self.assertEqual(len(self._imported(*(row["reference"] for row in rows))), 16)

    def test_dry_run_keeps_the_dialog(self):
        """The dry run and the import reopen the dialog with the action's name;
        the form's buttons are in its footer (no Save of the default ones)."""
        record = self._import_record(TEMPLATE.encode())
        actions = [record.action_dry_run()]
        commits = CronCommits(self.env)
        with patch.object(
            self.registry["ir.cron"], "_commit_progress", autospec=True
        ) as progress:
            progress.side_effect = commits
            actions.append(record.action_import())
        commits.done()
        for action in actions:
            self.assertEqual(
                {key: action.get(key) for key in ("type", "res_model", "res_id")},
                {
                    "type": "ir.actions.act_window",
                    "res_model": "publication.register.import",
                    "res_id": record.id,
                },
            )
            self.assertEqual(
                (action["name"], action["target"], action["view_mode"]),
                ("Import a Register", "new", "form"),
            )
        arch = record.get_views([(False, "form")])["views"]["form"]["arch"]
        form = etree.fromstring(arch)
        self.assertFalse(form.xpath("//header//button"), "buttons in the footer")
        self.assertEqual(
            {
                button.get("name") or button.get("special")
                for button in form.xpath("//footer/button")
            },
            {"action_dry_run", "action_import", "action_download_template", "cancel"},
        )

    def test_paid_until_before_the_end_is_a_warning(self):
        """A gift paid until 2026-08-31 of a term ending 2027-02-28: the rest
        of the term is owed. Without Invoice the Unpaid Rest the line is
        imported as paid, with a warning in the dry run, the report and the
        file of lines with warnings; a member copy (free) has none."""
        rows = template_rows()
        rows[3]["paid_until"] = "2026-03-31"  # Dora's member copy: free
        record = self._import_record(csv_file(rows))
        record.action_dry_run()
        self.assertEqual((record.state, record.error_count), ("checked", 0))
        self.assertEqual(record.warning_count, 1)
        self.assertEqual(
            [tuple(w[:3]) for w in record.warnings], [(3, "paid_until", "2026-08-31")]
        )
        warning = (
            "Line 3, column paid_until (S), value '2026-08-31': before the end "
            "of the term (02/28/2027); the unpaid rest, 09/01/2026 to 02/28/2027 "
            "($\xa059.51), is taken as paid. Tick Invoice the Unpaid Rest to invoice "
            "it to the payer."
        )
        self.assertEqual(record.warning_report, warning)
        self.assertFalse(record.report)
        record = self._import(csv_file(rows))
        self.assertEqual(
            (record.created_count, record.rejected_count, record.warning_count),
            (5, 0, 1),
        )
        self.assertFalse(record.rejected_file)
        warned = list(
            csv.DictReader(io.StringIO(base64.b64decode(record.warning_file).decode()))
        )
        self.assertEqual(
            [(row["reference"], row["warnings"]) for row in warned],
            [("R-1002", warning)],
        )
        self.assertEqual(record.warning_file_name, "lines_with_warnings.csv")
        self.assertEqual(self._imported("R-1002").period_ids.payment_state, "paid")

        invoiced = self._import_record(csv_file(template_rows()), opening_invoice=True)
        invoiced.action_dry_run()
        self.assertEqual((invoiced.state, invoiced.warning_count), ("checked", 0))
        self.assertFalse(invoiced.warning_report)

    def test_paid_until_before_the_current_term_is_a_warning(self):
        """Paid until before the current term: only the current term is
        invoiced to the payer, said on the line."""
        rows = [
            template_rows()[0]
            | {"start": "2024-01-01", "end": "2026-12-31", "paid_until": "2025-06-30"}
        ]
        record = self._import(csv_file(rows), opening_invoice=True)
        self.assertEqual(
            record.warning_report,
            "Line 2, column paid_until (S), value '2025-06-30': before the "
            "current term (from 01/01/2026); only the current term is invoiced "
            "to the payer, not the unpaid time before it.",
        )
        anna = self._imported("R-1001")
        self.assertAlmostEqual(anna.period_ids.invoice_id.amount_untaxed, 120.0)

    def test_rejected_file_is_safe_in_a_spreadsheet(self):
        """A cell a spreadsheet would run as a formula gets a leading quote in
        the file of rejected lines; imported again, the text has no quote."""
        rows = template_rows()[:2]
        texts = {
            "subscriber": '=HYPERLINK("http://x","y")',
            "phone": "+1 555 0199",
            "notes": "@SUM(1)",
            "street": "-2+3",
        }
        rows[1].update(texts, end="2020-01-01")  # before the start: rejected
        record = self._import(csv_file(rows), valid_only=True)
        rejected = list(
            csv.DictReader(
                io.StringIO(base64.b64decode(record.rejected_file).decode(), newline="")
            )
        )
        self.assertEqual(
            {name: rejected[0][name] for name in texts},
            {name: f"'{text}" for name, text in texts.items()},
        )
        self.assertEqual(rejected[0]["end"], "2020-01-01")
        self.assertTrue(rejected[0]["problems"].startswith("Line 3"))
        rejected[0]["end"] = "2027-02-28"  # corrected
        del rejected[0]["problems"]
        again = self._import(csv_file(rejected))
        self.assertEqual((again.created_count, again.rejected_count), (1, 0))
        reader = self._imported("R-1002").recipient_id
        self.assertEqual(
            {name: reader[name] for name in ("name", "phone", "street")},
            {"name": texts["subscriber"], "phone": "+1 555 0199", "street": "-2+3"},
        )
        self.assertIn("@SUM(1)", self._imported("R-1002").note)

    def test_reimport_changes_nothing_and_corrected_file_updates(self):
        self._import(TEMPLATE.encode())
        subscriptions = self._imported("R-1001", "R-1002", "R-1003", "R-1004", "R-1005")
        self.env.flush_all()
        before = self._written()
        stamps = subscriptions.mapped("write_date") + subscriptions.recipient_id.mapped(
            "write_date"
        )
        again = self._import(TEMPLATE.encode())
        self.assertEqual((again.unchanged_count, again.created_count), (5, 0))
        self.assertEqual(self._written(), before)
        self.assertEqual(
            subscriptions.mapped("write_date")
            + subscriptions.recipient_id.mapped("write_date"),
            stamps,
        )
        rows = template_rows()
        rows[0] |= {"end": "2027-03-31", "street": "9 New Street", "notes": "VIP"}
        corrected = self._import(csv_file(rows))
        self.assertEqual((corrected.updated_count, corrected.unchanged_count), (1, 4))
        anna = subscriptions[0]
        self.assertEqual(anna.date_end, date(2027, 3, 31))
        self.assertEqual(anna.period_ids.date_end, date(2027, 3, 31))
        self.assertEqual(anna.recipient_id.street, "9 New Street")
        self.assertIn("VIP", anna.note)
        self.assertEqual(self._written(), before, "updated, not duplicated")

    def test_sponsor_with_200_recipients_appears_once(self):
        good = template_rows()[2]
        rows = [
            good
            | {
                "reference": f"H-{n}",
                "subscriber": f"Hall {n}",
                "payer_reference": "",
                "zip": "10700",
            }
            for n in range(200)
        ]
        record = self._import(csv_file(rows))
        self.assertEqual(record.created_count, 200)
        sponsors = self.env["res.partner"].search([("name", "=", "Valley Bank")])
        self.assertEqual(sponsors, self.sponsor, "found by name and postal code")
        imported = self.env["publication.subscription"].search(
            [("import_ref", "like", "H-")]
        )
        self.assertEqual(imported.payer_id, self.sponsor)
        self.assertEqual(len(imported.recipient_id), 200)

    def test_opening_invoice_for_the_unpaid_rest(self):
        record = self._import(TEMPLATE.encode(), opening_invoice=True)
        self.assertEqual(record.created_count, 5)
        ben = self._imported("R-1002")
        invoice = ben.period_ids.invoice_id
        self.assertEqual(invoice.partner_id, ben.payer_id)
        # 2026-09-01 to 2027-02-28: 181 of 365 days of 120.00
        self.assertAlmostEqual(invoice.amount_untaxed, 59.51)
        self.assertEqual(ben.period_ids.payment_state, "not_paid")
        self.assertFalse(self._imported("R-1001").period_ids.invoice_id, "paid up")

    def test_imported_subscriptions_remind_renew_and_print(self):
        base = template_rows()[0]
        rows = [
            # ends in 20 days: the 30-day reminder is past
            base | {"reference": "T-1", "end": "2026-07-05", "start": "2025-07-06"},
            base
            | {
                "reference": "T-2",
                "subscriber": "Quinn",
                "email": "quinn@example.com",
                "offer": "Quarterly, renews itself",
                "start": "2026-04-01",
                "end": "2026-06-30",
            },
        ]
        self._import(csv_file(rows))
        fixed, continuous = self._imported("T-1", "T-2")
        self.assertEqual(fixed.reminder_days_sent, 30)
        self._run("_cron_renewal_reminders")
        self.assertFalse(self._events(fixed, "reminder"), "no reminder for the past")
        self.assertEqual(fixed.period_ids.date_start, date(2025, 7, 6))
        july = self._issue(self.monthly, date(2026, 7, 1))
        self.assertEqual(july.print_run, 1, "in the print run like native ones")
        with freeze_time("2026-06-21"):
            self._run("_cron_renewal_reminders")
        self.assertEqual(fixed.reminder_days_sent, 14)
        with freeze_time("2026-06-30"):
            self._run("_cron_renew")
        self.assertEqual(len(continuous.period_ids), 2)
        self.assertEqual(continuous.date_end, date(2026, 9, 30))
        self.assertTrue(continuous.period_ids.sorted("date_start")[-1].invoice_id)
        july.invalidate_recordset(["print_run"])
        self.assertEqual(july.print_run, 2, "renewed into July")

    def test_a_failing_line_is_rejected_alone(self):
        Batch = self.registry["publication.register.import.batch"]
        vals = Batch._subscription_vals

        def failing(batch, row):
            if row["reference"] == "R-1002":
                raise ValueError("the old system's data is broken")
            return vals(batch, row)

        with patch.object(Batch, "_subscription_vals", failing):
            record = self._import(TEMPLATE.encode())
        self.assertEqual((record.created_count, record.rejected_count), (4, 1))
        self.assertEqual(
            record.batch_ids.problems,
            [[3, "reference", "R-1002", "the old system's data is broken"]],
        )
        self.assertFalse(self._imported("R-1002"))
        self.assertIn("Line 3, column reference (A)", record.report)
        rejected = base64.b64decode(record.rejected_file).decode()
        self.assertIn("R-1002", rejected)
        self.assertNotIn("R-1001", rejected)
        self.assertEqual(len(self._imported("R-1001", "R-1003")), 2)
        names = self._imported("R-1001", "R-1003", "R-1004").mapped("name")
        self.assertEqual(len(set(names)), 3, "each its own reference")

    def test_large_file_by_the_scheduled_action(self):
        module = "odoo.addons.publication_crm.models.publication_register_import"
        with patch(f"{module}.IMMEDIATE_LINES", 2), patch(f"{module}.BATCH_LINES", 2):
            record = self._import(TEMPLATE.encode())
            self.assertEqual(record.state, "queued")
            self.assertEqual(record.progress, 0)
            self.assertGreaterEqual(len(record.batch_ids), 3)
            commits = CronCommits(self.env)
            with patch.object(
                self.registry["ir.cron"], "_commit_progress", autospec=True
            ) as progress:
                progress.side_effect = commits
                self.env["publication.register.import"]._cron_run_imports()
            commits.done()
        self.assertEqual((record.state, record.progress), ("done", 100))
        self.assertEqual(record.created_count, 5)

    def test_batches_as_queue_jobs(self):
        """With the job runner, each batch is a queue job of the batch runner."""
        self._use_job_runner()
        module = "odoo.addons.publication_crm.models.publication_register_import"
        with patch(f"{module}.BATCH_LINES", 2), trap_jobs() as trap:
            record = self._import(TEMPLATE.encode())
            run_batch = self.env["publication.automation"]._run_batch
            self.assertEqual(
                (trap.jobs_count(only=run_batch), record.state), (3, "queued")
            )
            jobs = self._perform_trapped(trap)
        self.assertEqual({job.state for job in jobs}, {"done"})
        self.assertEqual((record.state, record.created_count), ("done", 5))

    def test_non_managers_are_refused(self):
        with self.assertRaises(AccessError):
            self._import_record(TEMPLATE.encode(), user=self.user)
        record = self._import_record(TEMPLATE.encode())
        with self.assertRaises(AccessError):
            record.with_user(self.user).action_dry_run()
        with self.assertRaises(AccessError):
            record.with_user(self.user).sudo().action_import()
        self.assertFalse(self._imported("R-1001"))


@tagged("post_install", "-at_install")
class TestRegisterImportDownload(PublicationCommon, HttpCase):
    def test_template_download_over_http(self):
        record = (
            self.env["publication.register.import"].with_user(self.manager).create({})
        )
        url = record.action_download_template()["url"]
        self.authenticate("pub_manager", "pub_manager")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, TEMPLATE.encode())
        self.authenticate("pub_user", "pub_user")
        self.assertNotEqual(self.url_open(url).status_code, 200)
