from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date, format_datetime

# the categories that make the circulation; spares and replacements are shown
# apart (a replacement is a second copy of a subscription already counted)
CIRCULATION_CATEGORIES = ("paid", "member", "sponsored", "trial", "complimentary")
OTHER_CATEGORIES = ("spare", "replacement")
REGION_DIGITS_MAX = 5


def add_copies(counts, category, copies):
    """Add copies of category to counts, and to the circulation if they are."""
    counts[category] += copies
    if category in CIRCULATION_CATEGORIES:
        counts["circulation"] += copies
    counts["total"] += copies


class PublicationCirculationAudit(models.TransientModel):
    """Audited circulation of a publication over a period, for auditors (KMT,
    ABC, IVW) and advertisers: paid, member, sponsored or gift and free copies
    of each issue, by delivery method and by region, with totals and averages
    per issue, counted from the frozen distribution lists only."""

    _name = "publication.circulation.audit"
    _description = "Circulation Audit"

    publication_id = fields.Many2one("publication.publication", required=True)
    company_id = fields.Many2one(related="publication_id.company_id")
    date_from = fields.Date(
        string="Period From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="Period To",
        required=True,
        default=lambda self: fields.Date.context_today(self),
    )
    cutoff_date = fields.Date(
        string="Cut-off Date",
        required=True,
        default=lambda self: fields.Date.context_today(self),
        help="Only the lists frozen on or before this day (in the company's "
        "time zone) count; the issues of the period without one are named.",
    )
    region_digits = fields.Integer(
        string="Postal Code Characters per Region",
        default=2,
        required=True,
        help="A region is the country and the first characters of the postal "
        "code on the list (2: the postal areas 00-99 in Finland).",
    )
    method = fields.Text(
        string="Counting Method",
        compute="_compute_method",
        store=True,
        readonly=False,
        help="Printed on the report for the auditor; change it to match your "
        "audit body's rules.",
    )

    @api.depends("region_digits")
    def _compute_method(self):
        for audit in self:
            audit.method = self.env._(
                "Copies are counted from the frozen distribution list of each "
                "issue of the period whose list was frozen on or before the "
                "cut-off date; issues without such a list are named and not "
                "counted. Paid: subscriptions at a price, paid by their reader. "
                "Member: copies included in a membership fee. Sponsored or gift: "
                "copies paid by someone other than the reader. Free: trial "
                "offers, and complimentary copies (proof copies for advertisers, "
                "subscriptions at no price). Circulation is paid + member + "
                "sponsored or gift + free. Spare copies of the routes and "
                "replacement copies sent for complaints are shown apart and are "
                "not circulation. Delivery method: as on the list (post, "
                "carrier, digital). Region: the country and the first "
                "%(digits)s characters of the postal code on the list. Average: "
                "the total of the counted issues divided by their number.",
                digits=audit.region_digits,
            )

    @api.constrains("date_from", "date_to", "region_digits")
    def _check_audit_values(self):
        for audit in self:
            if audit.date_from > audit.date_to:
                raise ValidationError(
                    self.env._(
                        "Period From (%(date_from)s) must not be after Period To "
                        "(%(date_to)s).",
                        date_from=format_date(self.env, audit.date_from),
                        date_to=format_date(self.env, audit.date_to),
                    )
                )
            if not 1 <= audit.region_digits <= REGION_DIGITS_MAX:
                raise ValidationError(
                    self.env._(
                        "Postal Code Characters per Region must be between 1 and "
                        "%(max)s, not %(value)s.",
                        max=REGION_DIGITS_MAX,
                        value=audit.region_digits,
                    )
                )

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    def _cutoff_utc(self, tz_name):
        """The end of the cut-off day in the time zone tz_name, in UTC."""
        tz = pytz.timezone(tz_name)
        end = datetime.combine(self.cutoff_date + timedelta(days=1), time.min)
        return tz.localize(end).astimezone(pytz.utc).replace(tzinfo=None)

    def _split_issues(self):
        """The issues of the period: those whose list was frozen by the
        cut-off, and the others with the reason they are not counted."""
        # a publication of a company the user may not see is refused
        self.publication_id.check_access("read")
        issues = self.env["publication.issue"].search(
            [
                ("publication_id", "=", self.publication_id.id),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
            ],
            order="date, number, id",
        )
        tz_name = self.company_id._publication_tz() or "UTC"
        cutoff = self._cutoff_utc(tz_name)
        counted = issues.filtered(
            lambda i: i.distribution_frozen_date and i.distribution_frozen_date < cutoff
        )
        excluded = [
            {
                "issue": issue,
                "reason": self.env._(
                    "list frozen on %(date)s, after the cut-off date",
                    date=format_datetime(
                        self.env, issue.distribution_frozen_date, tz=tz_name
                    ),
                )
                if issue.distribution_frozen_date
                else self.env._("no frozen distribution list"),
            }
            for issue in issues - counted
        ]
        return counted, excluded

    def _copies_by_group(self, issues):
        """Copies of the lists of issues summed by issue, category, delivery
        method, country code and region (one statement: the lines grouped on
        their own columns first, so that only the lines without a category
        keep their subscription and the expressions run on the groups)."""
        Line = self.env["publication.distribution.line"]
        Line.check_access("read")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH g AS (
                    SELECT l.issue_id, l.circulation, l.kind,
                           CASE WHEN l.circulation IS NULL
                                THEN l.subscription_id END AS subscription_id,
                           l.delivery_method, l.country_id,
                           left(upper(replace(COALESCE(l.zip, ''), ' ', '')),
                                %(digits)s) AS area,
                           SUM(l.copies) AS copies
                      FROM publication_distribution_line l
                     WHERE l.issue_id = ANY(%(issues)s)
                  GROUP BY 1, 2, 3, 4, 5, 6, 7)
                SELECT g.issue_id, %(category)s, g.delivery_method,
                       COALESCE(co.code, ''), g.area, SUM(g.copies)::bigint
                  FROM g
             LEFT JOIN publication_subscription s ON s.id = g.subscription_id
             LEFT JOIN res_country co ON co.id = g.country_id
              GROUP BY 1, 2, 3, 4, 5""",
                category=Line._circulation_sql("g"),
                digits=self.region_digits,
                issues=issues.ids,
            )
        )
        return self.env.cr.fetchall()

    def _empty_counts(self):
        return dict.fromkeys(
            (*CIRCULATION_CATEGORIES, "circulation", *OTHER_CATEGORIES, "total"), 0
        )

    def _audit(self):
        """The figures of the report: the counts of each issue with their total
        and average per issue, the average per issue by delivery method and by
        region, and the detail by issue, category, method and region that the
        auditor sums up from the lists."""
        self.ensure_one()
        issues, excluded = self._split_issues()
        Line = self.env["publication.distribution.line"]
        methods = dict(Line._fields["delivery_method"]._description_selection(self.env))
        categories = dict(Line._fields["circulation"]._description_selection(self.env))
        by_issue = {issue.id: self._empty_counts() for issue in issues}
        by_method, by_region, detail = {}, {}, []
        total = self._empty_counts()
        position = {issue_id: n for n, issue_id in enumerate(issues.ids)}
        category_order = list(categories)
        rows = self._copies_by_group(issues)
        for issue_id, category, method, country, area, copies in rows:
            region = (country, area)
            for counts in (
                by_issue[issue_id],
                by_method.setdefault(method, self._empty_counts()),
                by_region.setdefault(region, self._empty_counts()),
                total,
            ):
                add_copies(counts, category, copies)
            detail.append(
                (
                    (position[issue_id], category_order.index(category)),
                    issues.browse(issue_id).name,
                    categories[category],
                    methods.get(method) or self.env._("Unknown"),
                    self._region_name(*region),
                    copies,
                )
            )
        count = len(issues)
        method_order = [*methods, None]
        return {
            "issues": [
                {"issue": issue, "counts": by_issue[issue.id]} for issue in issues
            ],
            "issue_count": count,
            "period": self._period_text(),
            "excluded": excluded,
            "methods": [
                {
                    "name": methods.get(method) or self.env._("Unknown"),
                    "average": self._averages(by_method[method], count),
                }
                for method in sorted(by_method, key=method_order.index)
            ],
            "regions": [
                {
                    "name": self._region_name(*region),
                    "average": self._averages(by_region[region], count),
                }
                # regions in order, the lines without postal code last
                for region in sorted(by_region, key=lambda r: (not r[1], r))
            ],
            "total": total,
            "average": self._averages(total, count),
            "detail": [row[1:] for row in sorted(detail)],
        }

    @api.model
    def _averages(self, counts, issue_count):
        """counts per issue, to one decimal."""
        return {
            key: round(value / issue_count, 1) if issue_count else 0.0
            for key, value in counts.items()
        }

    def _region_name(self, country, area):
        if not area:
            return " ".join(filter(None, [country, self.env._("(no postal code)")]))
        return " ".join(filter(None, [country, area]))

    def _columns(self):
        """(key, heading) of the count columns, in order."""
        names = dict(
            self.env["publication.distribution.line"]
            ._fields["circulation"]
            ._description_selection(self.env)
        )
        return [
            *((key, names[key]) for key in CIRCULATION_CATEGORIES),
            ("circulation", self.env._("Circulation")),
            *((key, names[key]) for key in OTHER_CATEGORIES),
            ("total", self.env._("Total on the Lists")),
        ]

    def _period_text(self):
        return self.env._(
            "%(publication)s, issues from %(date_from)s to %(date_to)s, lists "
            "frozen by %(cutoff)s",
            publication=self.publication_id.display_name,
            date_from=format_date(self.env, self.date_from),
            date_to=format_date(self.env, self.date_to),
            cutoff=format_date(self.env, self.cutoff_date),
        )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_print_pdf(self):
        return self.env.ref(
            "publication_crm.action_report_circulation_audit"
        ).report_action(self)

    def action_export_xlsx(self):
        return self.env.ref(
            "publication_crm.action_report_circulation_audit_xlsx"
        ).report_action(self)
