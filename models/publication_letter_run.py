"""A letter run: the paper letters of a company collected since the last
print, printed as one PDF sorted by postal code for the print house."""

import os
import shutil
import subprocess
import tempfile

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every
from odoo.tools.pdf import merge_pdf

from .publication_automation.publication_automation import per_company

LETTER_REPORT = "publication_crm.action_report_publication_letters"
# letters per wkhtmltopdf call (the Debian wkhtmltopdf converts one document
# per call): a call takes 1 s of start and script delay and ~6 ms a page; 1,000
# pages keep its memory under 400 MB and the report's HTML under 10 MB
CHUNK_SIZE = 1000


class PublicationLetterRun(models.Model):
    _name = "publication.letter.run"
    _description = "Letter Run"
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        required=True, readonly=True, default=fields.Date.context_today, index=True
    )
    state = fields.Selection(
        [("open", "Collecting"), ("printing", "Printing"), ("printed", "Printed")],
        required=True,
        readonly=True,
        default="open",
        help="Collecting: letters are added by the nightly invoicing, payment "
        "reminders and price notices. Printing: closed, its PDF is being made by "
        "the scheduled action; new letters go to a new run. Printed: its PDF is "
        "made.",
    )
    letter_ids = fields.One2many(
        "publication.letter", "run_id", string="Letters", readonly=True
    )
    letter_count = fields.Integer(
        string="Number of Letters", compute="_compute_letter_count"
    )
    printed_date = fields.Datetime(string="Printed On", readonly=True, copy=False)
    pdf_id = fields.Many2one("ir.attachment", string="PDF", readonly=True, copy=False)
    pdf_name = fields.Char(related="pdf_id.name", string="PDF File")

    _open_uniq = models.UniqueIndex(
        "(company_id) WHERE state = 'open'",
        "A company collects its letters in one open run.",
    )

    @api.depends("date")
    def _compute_name(self):
        for run in self:
            run.name = self.env._("Letters %(date)s", date=run.date)

    def _compute_letter_count(self):
        counts = dict(
            self.env["publication.letter"]._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count"]
            )
        )
        for run in self:
            run.letter_count = counts.get(run, 0)

    # ------------------------------------------------------------------
    # Collecting
    # ------------------------------------------------------------------
    @api.model
    def _open_run(self, company):
        """The company's open run, created when there is none."""
        run = self.search(
            [("company_id", "=", company.id), ("state", "=", "open")], limit=1
        )
        if run:
            return run
        return self.create(
            {
                "company_id": company.id,
                "date": fields.Date.context_today(self.with_company(company)),
            }
        )

    def _hold_open(self):
        """Share-lock the open runs while letters are added to them, until the
        transaction ends: a print waits for it (see _cron_print_letters), and
        a run a print closed meanwhile fails this transaction as a concurrent
        update (retried later) instead of hiding letters in a printed run.
        Adders do not block each other."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = ANY(%s) FOR SHARE",
                SQL.identifier(self._table),
                self.ids,
            ),
            log_exceptions=False,
        )

    # ------------------------------------------------------------------
    # Printing
    # ------------------------------------------------------------------
    @api.model
    @per_company
    def _cron_print_letters(self):
        """The invoice letters of the day, then the company's open run closed
        and, after a commit (so that every letter added to it is seen),
        printed as one PDF with any other run waiting to print."""
        self.env["publication.letter"]._queue_invoice_letters()
        run = self.search(
            [("company_id", "=", self.env.company.id), ("state", "=", "open")],
            limit=1,
        )
        if run.letter_ids:
            # skipped while a transaction still adds letters: the next call
            run = self.env["publication.automation"]._lock(self, run.ids)
            run.write({"state": "printing"})
        Cron = self.env["ir.cron"]
        Cron._commit_progress()
        runs = self.search(
            [("company_id", "=", self.env.company.id), ("state", "=", "printing")]
        )
        for run in runs:
            run._print()
            Cron._commit_progress(1)
        return True

    def action_print(self):
        """Close the open runs now and have the scheduled action print them
        at once (thousands of letters take minutes); new letters go to a new
        run."""
        runs = self.filtered(lambda r: r.state == "open")
        if not runs:
            raise UserError(
                self.env._(
                    "Letter run %(name)s is closed already: its PDF is made by "
                    "the scheduled action, or is there to download.",
                    name=self[:1].name,
                )
            )
        self.env["publication.automation"]._lock(runs, runs.ids, wait=True)
        runs.sudo().write({"state": "printing"})
        self.env.ref("publication_crm.ir_cron_print_letters").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The letters are being printed: the PDF appears on the run "
                    "in a few minutes."
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_download(self):
        self.ensure_one()
        if not self.pdf_id:
            raise UserError(
                self.env._(
                    "Letter run %(name)s has no PDF yet: print it first.",
                    name=self.name,
                )
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.pdf_id.id}?download=true",
            "target": "self",
        }

    def _print(self):
        """Render each run's letters, sorted by postal code, into one PDF
        stored on the run, which is then printed."""
        for run in self:
            letters = run.letter_ids.sorted(lambda letter: (letter.sort_key, letter.id))
            pdf = run._render_pdf(letters) if letters else None
            attachment = self.env["ir.attachment"]
            if pdf:
                attachment = attachment.create(
                    {
                        "name": f"{run.name.replace('/', '-')}.pdf",
                        "type": "binary",
                        "raw": pdf,
                        "mimetype": "application/pdf",
                        "res_model": run._name,
                        "res_id": run.id,
                    }
                )
            run.write(
                {
                    "state": "printed",
                    "printed_date": fields.Datetime.now(),
                    "pdf_id": attachment.id,
                }
            )

    def _render_pdf(self, letters):
        """One PDF of letters (in that order), rendered CHUNK_SIZE letters per
        wkhtmltopdf call and merged."""
        self.ensure_one()
        report = self.env.ref(LETTER_REPORT).sudo()
        chunks = [
            report._render_qweb_pdf(report, self.ids, data={"letter_ids": ids})[0]
            for ids in split_every(CHUNK_SIZE, letters.ids)
        ]
        return chunks[0] if len(chunks) == 1 else self._merge(chunks)

    @api.model
    def _merge(self, pdfs):
        """One PDF of pdfs: with poppler's pdfunite when it is installed (Odoo's
        merge_pdf, PyPDF2, needs minutes and gigabytes for thousands of
        pages), else with merge_pdf."""
        pdfunite = shutil.which("pdfunite")
        if not pdfunite:
            return merge_pdf(pdfs)
        with tempfile.TemporaryDirectory(prefix="publication_letters.") as folder:
            paths = []
            for index, pdf in enumerate(pdfs):
                path = os.path.join(folder, f"{index:05d}.pdf")
                with open(path, "wb") as file:
                    file.write(pdf)
                paths.append(path)
            merged = os.path.join(folder, "letters.pdf")
            subprocess.run([pdfunite, *paths, merged], check=True, capture_output=True)
            with open(merged, "rb") as file:
                return file.read()
