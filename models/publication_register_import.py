import base64

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..utils.register_rows import (
    COLUMN_NAMES,
    COLUMNS,
    RegisterChecker,
    UnreadableFile,
    column_letter,
    person_keys,
    read_file,
    write_csv,
)

BATCH_LINES = 1000
# files up to this size are imported at once, larger ones by the scheduled action
IMMEDIATE_LINES = 2000
# one example line per case: a subscriber paying for himself (route by postal
# code), a gift paid until the middle of the term, copies of a sponsor, a
# member copy on a route given by its code, a trial of the e-paper; its cells
# are safe in a spreadsheet as every CSV of the add-on's (see spreadsheet.py)
TEMPLATE = """\
reference,subscriber,street,zip,city,country,email,phone,language,\
payer_reference,payer,payer_email,payer_zip,publication,offer,copies,start,end,\
paid_until,origin,route,source,notes
R-1001,Anna Berg,1 Church Lane,10100,Springfield,US,anna@example.com,'+1 555 0101,\
en_US,,,,,PM,Annual,1,2024-01-01,2026-12-31,2026-12-31,,,Fair,
R-1002,Ben Carter,2 Mill Road,10600,Springfield,US,,,,R-9001,Clara Carter,\
clara@example.com,10600,PM,Annual,1,2026-03-01,2027-02-28,2026-08-31,gift,,,Birthday
R-1003,Parish Hall,3 Main Street,10700,Springfield,US,,,,S-1,Valley Bank,\
office@valleybank.example,,PM,Annual,5,2025-01-01,2026-12-31,,sponsored,,,
R-1004,Dora Evans,4 Hill Street,20000,Springfield,US,,,,,,,,PM,Annual,1,2020-01-01,\
2026-12-31,,member,N,,Board member
R-1005,Eli Fox,,,,,eli@example.com,,,,,,,PM,E-paper,1,2026-06-01,2026-11-30,,trial,\
,Web,
"""


class PublicationRegisterImport(models.Model):
    """Import of an existing register of subscribers and running subscriptions
    from a CSV or XLSX file: a dry run lists every problem, the import then
    runs in batches through the renewal automation's batch runner."""

    _name = "publication.register.import"
    _description = "Register Import"
    _order = "id desc"

    name = fields.Char(related="file_name", string="Name")
    file = fields.Binary(string="File (CSV or XLSX)", attachment=True)
    file_name = fields.Char()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    opening_invoice = fields.Boolean(
        string="Invoice the Unpaid Rest",
        help="When Paid Until is before the end of the current term, invoice the "
        "rest of the term to the payer (an opening invoice). Otherwise the rest "
        "is taken as paid in the former register, with a warning on the line.",
    )
    valid_only = fields.Boolean(
        string="Import Only the Valid Lines",
        help="Import the lines without problems; the others come back as a file "
        "of rejected lines.",
    )
    state = fields.Selection(
        [
            ("draft", "New"),
            ("errors", "Problems Found"),
            ("checked", "Checked"),
            ("queued", "Importing"),
            ("done", "Imported"),
        ],
        default="draft",
        required=True,
        readonly=True,
    )
    line_count = fields.Integer(readonly=True)
    error_count = fields.Integer(string="Lines with Problems", readonly=True)
    problems = fields.Json(readonly=True)
    report = fields.Text(compute="_compute_report")
    warning_count = fields.Integer(
        string="Lines with Warnings",
        readonly=True,
        help="Lines imported (or to import) that need a look: a Paid Until "
        "before the end of the term, for instance.",
    )
    warnings = fields.Json(readonly=True)
    warning_report = fields.Text(compute="_compute_report")
    batch_ids = fields.One2many("publication.register.import.batch", "import_id")
    progress = fields.Float(compute="_compute_counts", string="Progress (%)")
    created_count = fields.Integer(compute="_compute_counts", string="Created")
    updated_count = fields.Integer(compute="_compute_counts", string="Updated")
    unchanged_count = fields.Integer(compute="_compute_counts", string="Unchanged")
    rejected_count = fields.Integer(compute="_compute_counts", string="Rejected")
    rejected_file = fields.Binary(readonly=True, attachment=True)
    rejected_file_name = fields.Char(readonly=True)
    warning_file = fields.Binary(string="Warnings File", readonly=True, attachment=True)
    warning_file_name = fields.Char(readonly=True)

    @api.depends("problems", "warnings")
    def _compute_report(self):
        for record in self:
            record.report = "\n".join(
                record._problem_text(problem) for problem in record.problems or []
            )
            record.warning_report = "\n".join(
                record._problem_text(warning) for warning in record.warnings or []
            )

    def _problem_text(self, problem):
        line, column, value, reason = problem
        return self.env._(
            "Line %(line)s, column %(column)s (%(letter)s), value '%(value)s': "
            "%(reason)s",
            line=line,
            column=column,
            letter=column_letter(column),
            value=value,
            reason=reason,
        )

    @api.depends("state", "problems", "batch_ids.state", "batch_ids.problems")
    def _compute_counts(self):
        """Created, updated and unchanged by the batches; rejected: the lines
        of the file of rejected lines, those refused before the batches (with
        Import Only the Valid Lines) and those the batches refused."""
        totals = {
            record.id: dict.fromkeys(("created", "updated", "unchanged"), 0)
            for record in self
        }
        rejected = {
            record.id: {problem[0] for problem in record.problems or []}
            if record.state in ("queued", "done")
            else set()
            for record in self
        }
        done = dict.fromkeys(self.ids, 0)
        for batch in self.batch_ids:
            for key in totals[batch.import_id.id]:
                totals[batch.import_id.id][key] += batch[f"{key}_count"]
            rejected[batch.import_id.id] |= {p[0] for p in batch.problems or []}
            done[batch.import_id.id] += batch.state == "done"
        for record in self:
            for key, value in totals.get(record.id, {}).items():
                record[f"{key}_count"] = value
            record.rejected_count = len(rejected.get(record.id, ()))
            batches = len(record.batch_ids)
            record.progress = 100.0 * done.get(record.id, 0) / batches if batches else 0

    def _check_manager(self):
        if not self.env.user.has_group("publication_crm.group_publication_manager"):
            raise AccessError(
                self.env._("Only a Publication Manager can import a register.")
            )

    # ------------------------------------------------------------------
    # Reading and checking
    # ------------------------------------------------------------------
    def _read_rows(self):
        """The file's data rows and the problems of its header."""
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the file of the register to import."))
        try:
            header, rows = read_file(base64.b64decode(self.file), self.file_name)
        except UnreadableFile as error:
            kind, reason = error.args
            raise UserError(
                self.env._(
                    "File (CSV or XLSX) %(name)s cannot be read as a %(kind)s "
                    "file: %(reason)s. Save it from your spreadsheet as CSV "
                    "(UTF-8) or XLSX and choose it again.",
                    name=self.file_name or "",
                    kind=kind,
                    reason=reason,
                )
            ) from error
        problems = [
            (1, name, name, self.env._("unknown column"))
            for name in header
            if name and name not in COLUMN_NAMES
        ]
        problems += [
            (1, name, "", self.env._("required column missing"))
            for name, required in COLUMNS
            if required and name not in header
        ]
        if not rows:
            problems.append((1, "reference", "", self.env._("no lines to import")))
        return rows, problems

    def _check_rows(self):
        """(rows, clean rows, problems, warnings) of the whole file: nothing
        is written."""
        rows, problems = self._read_rows()
        if problems:
            return rows, [], problems, []
        env = self.with_company(self.company_id).env
        checker = RegisterChecker(env, rows)
        clean, problems = checker.check(rows)
        warnings = checker.payment_warnings(clean, self.opening_invoice)
        return rows, clean, problems, warnings

    def _checked_vals(self, rows, problems, warnings):
        return {
            "line_count": len(rows),
            "error_count": _line_count(problems),
            "problems": problems,
            "warning_count": _line_count(warnings),
            "warnings": warnings,
        }

    def action_dry_run(self):
        """Check every line and list the problems and warnings; nothing is
        imported."""
        self._check_manager()
        self.ensure_one()
        rows, _clean, problems, warnings = self._check_rows()
        self.write(
            self._checked_vals(rows, problems, warnings)
            | {"state": "errors" if problems else "checked"}
        )
        return self._reopen()

    def action_import(self):
        """Import the checked file (or its valid lines) in batches."""
        self._check_manager()
        self.ensure_one()
        if self.state not in ("draft", "errors", "checked"):
            raise UserError(self.env._("This file is imported already."))
        rows, clean, problems, warnings = self._check_rows()
        if problems and not (self.valid_only and clean):
            self.write(
                self._checked_vals(rows, problems, warnings) | {"state": "errors"}
            )
            raise UserError(
                self.env._(
                    "%(count)s line(s) have problems (see the dry run): correct the "
                    "file or choose to import only the valid lines.",
                    count=_line_count(problems),
                )
            )
        valid_lines = {row["line"] for row in clean}
        self.write(
            self._checked_vals(rows, problems, warnings)
            | {
                "state": "queued",
                "batch_ids": [
                    fields.Command.create({"rows": batch, "state": "todo"})
                    for batch in self._split(
                        [r for r in rows if r["line"] in valid_lines]
                    )
                ],
            }
        )
        self._write_files(rows)
        if len(rows) <= IMMEDIATE_LINES:
            self._run_batches()
        else:
            self.env.ref("publication_crm.ir_cron_register_import").sudo()._trigger()
        return self._reopen()

    @api.model
    def _split(self, rows, size=None):
        """Batches of about size rows (as text) that never split the lines of
        one person: recipients and payers sharing a key (old reference, e-mail,
        name and postal code) are in one batch, so that parallel batches never
        create the same partner twice."""
        size = size or BATCH_LINES
        parent = {}

        def find(key):
            root = key
            while parent.setdefault(root, root) != root:
                root = parent[root]
            parent[key] = root
            return root

        row_keys = []
        for row in rows:
            keys = person_keys(
                row.get("reference"),
                row.get("email"),
                row.get("subscriber"),
                row.get("zip"),
            ) + person_keys(
                row.get("payer_reference"),
                row.get("payer_email"),
                row.get("payer"),
                row.get("payer_zip"),
            )
            for key in keys[1:]:
                parent[find(key)] = find(keys[0])
            row_keys.append(keys[0])
        groups = {}
        for row, key in zip(rows, row_keys, strict=True):
            groups.setdefault(find(key), []).append(row)
        batches, batch = [], []
        for group in groups.values():
            if batch and len(batch) + len(group) > size:
                batches.append(batch)
                batch = []
            batch += [
                {name: _as_text(value) for name, value in row.items()} for row in group
            ]
        return batches + [batch] if batch else batches

    def _write_files(self, rows):
        """The files of rejected lines (with their problems) and of lines with
        warnings (imported, with their warnings), from the rows of the file."""
        self.ensure_one()
        vals = {}
        for field, column, name in (
            ("rejected_file", "problems", "rejected_lines.csv"),
            ("warning_file", "warnings", "lines_with_warnings.csv"),
        ):
            reasons = {}
            for problem in self[column] or []:
                reasons.setdefault(problem[0], []).append(self._problem_text(problem))
            lines = [
                dict(row, **{column: "; ".join(reasons[row["line"]])})
                for row in rows
                if row["line"] in reasons
            ]
            vals[field] = bool(lines) and base64.b64encode(write_csv(lines, [column]))
            vals[f"{field}_name"] = bool(lines) and name
        self.write(vals)

    # ------------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------------
    def _run_batches(self):
        """The batches left, through the scheduled actions' batch runner
        (committed one by one; on queue jobs when a job runner serves)."""
        complete = True
        Batch = self.env["publication.register.import.batch"]
        for record in self:
            automation = self.env["publication.automation"].with_company(
                record.company_id
            )
            domain = [("import_id", "=", record.id), ("state", "=", "todo")]
            complete &= bool(
                automation._run(
                    Batch.with_company(record.company_id),
                    [(domain, "_import_rows", None)],
                    batch_size=1,
                )
            )
            record._finish_if_done()
        return complete

    def _finish_if_done(self):
        """Done when no batch is left; the lines a batch rejected join the
        problems and the file of rejected lines."""
        for record in self:
            if record.state != "queued" or "todo" in record.batch_ids.mapped("state"):
                continue
            rejected = [p for batch in record.batch_ids for p in batch.problems or []]
            if rejected:
                problems = (record.problems or []) + rejected
                record.write(
                    {"problems": problems, "error_count": _line_count(problems)}
                )
                record._write_files(record._read_rows()[0])
            record.state = "done"

    @api.model
    def _cron_run_imports(self):
        """Scheduled action: the batches of the imports under way."""
        return self.search([("state", "=", "queued")])._run_batches()

    def _reopen(self):
        """The dialog again, with the menu action's name and target."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_register_import_action"
        )
        return action | {"res_id": self.id, "views": [(False, "form")]}

    def action_download_template(self):
        return self._download("template_file", "register_template.csv")

    def action_download_rejected(self):
        return self._download("rejected_file", self.rejected_file_name)

    def _download(self, field, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/{field}/{name}?download=true",
        }

    template_file = fields.Binary(compute="_compute_template_file")

    def _compute_template_file(self):
        content = base64.b64encode(TEMPLATE.encode())
        for record in self:
            record.template_file = content


def _line_count(problems):
    """The number of lines of problems (line, column, value, reason)."""
    return len({problem[0] for problem in problems})


def _as_text(value):
    """Rows are kept as text between the check and the batches."""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, (str, int)) or value is None else str(value)
