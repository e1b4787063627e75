"""Going to print: an issue's frozen distribution list and its documents."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date, format_datetime, split_every

from ...utils.spreadsheet import csv_bytes

FREEZE_BATCH = 5  # issues per statement and commit of the scheduled action
COUNT_COLUMNS = ("route_code", "route", "zip", "delivery_method", "lines", "copies")


class PublicationIssue(models.Model):
    _inherit = "publication.issue"

    distribution_frozen_date = fields.Datetime(
        string="List Frozen On",
        readonly=True,
        copy=False,
        index=True,
        help="When the distribution list was frozen for print; from then on the "
        "print run and the reports read that list, which never changes.",
    )
    distribution_line_ids = fields.One2many(
        "publication.distribution.line", "issue_id", string="Distribution List"
    )
    print_date = fields.Date(
        compute="_compute_print_date",
        help="The distribution list is frozen on this day (the publication's "
        "print deadline before the issue date).",
    )

    can_freeze_distribution = fields.Boolean(
        compute="_compute_can_freeze_distribution",
        help="The current user may freeze the list now: a Publication Manager "
        "at any time, a Publication User from the print date on.",
    )

    @api.depends("date", "publication_id.print_deadline_days")
    def _compute_print_date(self):
        for issue in self:
            issue.print_date = issue.date and issue.date - timedelta(
                days=issue.publication_id.print_deadline_days
            )

    @api.depends("distribution_frozen_date", "print_date")
    @api.depends_context("uid")
    def _compute_can_freeze_distribution(self):
        early = self._freeze_too_early()
        for issue in self:
            issue.can_freeze_distribution = (
                not issue.distribution_frozen_date and issue not in early
            )

    # ------------------------------------------------------------------
    # Freezing
    # ------------------------------------------------------------------
    def _freeze_too_early(self):
        """The issues the current user may not freeze yet: before their print
        date, only a Publication Manager freezes a list."""
        if self.env.user.has_group("publication_crm.group_publication_manager"):
            return self.browse()
        return self.filtered(
            lambda i: i.print_date and i.print_date > i.company_id._publication_today()
        )

    def action_freeze_distribution(self):
        """Freeze the distribution lists now (button): a Publication Manager at
        any time, a Publication User once the print date has come."""
        self.check_access("read")
        frozen = self.filtered("distribution_frozen_date")
        if frozen:
            raise UserError(
                self.env._(
                    "The distribution list of issue %(issue)s was frozen on "
                    "%(date)s; it does not change any more.",
                    issue=frozen[0].name,
                    date=format_datetime(self.env, frozen[0].distribution_frozen_date),
                )
            )
        early = self._freeze_too_early()
        if early:
            raise UserError(
                self.env._(
                    "The distribution list of issue %(issue)s can be frozen from "
                    "its print date %(date)s on; only a Publication Manager "
                    "freezes it earlier.",
                    issue=early[0].name,
                    date=format_date(self.env, early[0].print_date),
                )
            )
        self._freeze_distribution()
        return True

    def _freeze_distribution(self):
        """Write the lists of the issues not frozen yet, in one statement;
        issues locked by a concurrent freeze are left to it. Returns the
        issues frozen."""
        if not self:
            return self
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM publication_issue
                    WHERE id = ANY(%s) AND distribution_frozen_date IS NULL
                      FOR UPDATE SKIP LOCKED""",
                self.ids,
            )
        )
        issues = self.browse(row[0] for row in self.env.cr.fetchall())
        if issues:
            self.env["publication.distribution.line"]._freeze(issues)
            issues.sudo().distribution_frozen_date = fields.Datetime.now()
        return issues

    @api.model
    def _freeze_due_domain(self, today):
        """Issues whose print deadline has come (missed days caught up)."""
        publications = self.env["publication.publication"].search(
            [("active", "=", True)]
        )
        return Domain("distribution_frozen_date", "=", False) & Domain.OR(
            Domain("publication_id", "=", publication.id)
            & Domain(
                "date",
                "<=",
                today + timedelta(days=publication.print_deadline_days),
            )
            for publication in publications
        )

    @api.model
    def _cron_freeze_distribution(self):
        """Scheduled action: freeze the lists of the issues going to print, a
        few issues per commit; returns True when nothing is left."""
        today = fields.Date.context_today(self)
        issues = self.search(self._freeze_due_domain(today), order="date, id")
        Cron = self.env["ir.cron"]
        remaining = len(issues)
        for batch in split_every(FREEZE_BATCH, issues.ids, self.browse):
            batch._freeze_distribution()
            remaining -= len(batch)
            if Cron._commit_progress(len(batch), remaining=remaining) <= 0:
                return not remaining
        return True

    # ------------------------------------------------------------------
    # Documents
    # ------------------------------------------------------------------
    def _check_frozen(self):
        not_frozen = self.filtered(lambda i: not i.distribution_frozen_date)
        if not_frozen:
            raise UserError(
                self.env._(
                    "The distribution list of issue %(issue)s is not frozen yet: "
                    "freeze it (Freeze List) before printing its documents.",
                    issue=not_frozen[0].name,
                )
            )

    def _distribution_counts(self):
        """Lines and copies of the frozen list by route, postal code and
        delivery method, as dicts in route order, then the list's total."""
        self.ensure_one()
        self._check_frozen()
        groups = self.env["publication.distribution.line"]._read_group(
            [("issue_id", "=", self.id)],
            ["route_id", "zip", "delivery_method"],
            ["__count", "copies:sum"],
            order="route_id, zip, delivery_method",
        )
        methods = dict(
            self.env["publication.distribution.line"]
            ._fields["delivery_method"]
            ._description_selection(self.env)
        )
        rows = [
            {
                "route_code": route.code or "",
                "route": route.name or "",
                "zip": zip_code or "",
                "delivery_method": methods.get(method, ""),
                "lines": count,
                "copies": copies,
            }
            for route, zip_code, method, count, copies in groups
        ]
        total = {
            "route_code": "",
            "route": self.env._("Total"),
            "zip": "",
            "delivery_method": "",
            "lines": sum(row["lines"] for row in rows),
            "copies": sum(row["copies"] for row in rows),
        }
        return rows, total

    def _count_headers(self):
        return [
            self.env._("Route Code"),
            self.env._("Route"),
            self.env._("Postal Code"),
            self.env._("Delivery Method"),
            self.env._("Addresses"),
            self.env._("Copies"),
        ]

    def _counts_csv(self):
        rows, total = self._distribution_counts()
        return csv_bytes(
            self._count_headers(),
            [[row[column] for column in COUNT_COLUMNS] for row in [*rows, total]],
        )

    def action_export_counts_csv(self):
        """The counts for the post office and the printer, as a CSV file."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name.replace('/', '-')} counts.csv",
                "raw": self._counts_csv(),
                "mimetype": "text/csv",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }
