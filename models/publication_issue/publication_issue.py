from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

DELIVERY_METHODS = [("post", "Post"), ("carrier", "Carrier"), ("digital", "Digital")]


class PublicationIssue(models.Model):
    _name = "publication.issue"
    _description = "Publication Issue"
    _order = "date desc, id desc"
    _rec_names_search = ["name", "publication_id.name", "publication_id.code"]

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    publication_id = fields.Many2one(
        "publication.publication", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="publication_id.company_id", store=True)
    number = fields.Integer(required=True)
    date = fields.Date(string="Publication Date", required=True, index=True)
    booking_deadline = fields.Date(
        compute="_compute_deadlines",
        store=True,
        readonly=False,
        help="Last day to book an advertisement in this issue.",
    )
    material_deadline = fields.Date(
        compute="_compute_deadlines",
        store=True,
        readonly=False,
        help="Last day for advertisers to deliver their material.",
    )
    distribution_ids = fields.One2many("publication.issue.distribution", "issue_id")
    digital_audience = fields.Integer(
        help="Readers of the digital edition (e.g. unique visitors or e-paper "
        "downloads), reported to advertisers next to the print run.",
    )
    ad_booking_ids = fields.One2many("publication.ad.booking", "issue_id")
    ad_booking_count = fields.Integer(compute="_compute_ad_booking_count")
    print_run = fields.Integer(
        compute="_compute_print_run",
        help="Copies owed to subscribers on the publication date.",
    )
    copies_post = fields.Integer(compute="_compute_print_run", string="By Post")
    copies_carrier = fields.Integer(compute="_compute_print_run", string="By Carrier")
    copies_digital = fields.Integer(compute="_compute_print_run", string="Digital")

    _number_uniq = models.Constraint(
        "UNIQUE(publication_id, number)",
        "An issue number is used once per publication.",
    )

    @api.depends("publication_id.code", "number", "date")
    def _compute_name(self):
        for issue in self:
            year = issue.date.year if issue.date else ""
            issue.name = f"{issue.publication_id.code or ''} {year}/{issue.number}"

    @api.depends(
        "date",
        "publication_id.booking_deadline_days",
        "publication_id.material_deadline_days",
    )
    def _compute_deadlines(self):
        for issue in self:
            if not issue.date:
                continue
            publication = issue.publication_id
            issue.booking_deadline = issue.date - timedelta(
                days=publication.booking_deadline_days
            )
            issue.material_deadline = issue.date - timedelta(
                days=publication.material_deadline_days
            )

    @api.constrains("date", "booking_deadline", "material_deadline")
    def _check_deadlines(self):
        for issue in self:
            for field in ("booking_deadline", "material_deadline"):
                if issue[field] and issue[field] > issue.date:
                    raise ValidationError(
                        self.env._(
                            "%(field)s (%(value)s) of issue %(issue)s must not be "
                            "after its publication date %(date)s.",
                            field=self._fields[field].get_description(self.env)[
                                "string"
                            ],
                            value=format_date(self.env, issue[field]),
                            issue=issue.name,
                            date=format_date(self.env, issue.date),
                        )
                    )

    def _compute_print_run(self):
        copies = self.env["publication.issue.distribution"]._read_group(
            [("issue_id", "in", self.ids)],
            ["issue_id", "delivery_method"],
            ["copies:sum"],
        )
        by_issue = {}
        for issue, method, total in copies:
            by_issue.setdefault(issue, {})[method] = total
        for issue in self:
            methods = by_issue.get(issue, {})
            issue.copies_post = methods.get("post", 0)
            issue.copies_carrier = methods.get("carrier", 0)
            issue.copies_digital = methods.get("digital", 0)
            issue.print_run = sum(methods.values())

    def _compute_ad_booking_count(self):
        counts = dict(
            self.env["publication.ad.booking"]._read_group(
                [("issue_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["issue_id"],
                ["__count"],
            )
        )
        for issue in self:
            issue.ad_booking_count = counts.get(issue, 0)

    def _unreferenced(self):
        """These issues less those a booking (even cancelled), a replacement
        copy or a complaint refers to."""
        referenced = set()
        for model in (
            "publication.ad.booking",
            "publication.issue.replacement",
            "helpdesk.ticket",
        ):
            referenced.update(
                issue.id
                for [issue] in self.env[model]
                .sudo()
                .with_context(active_test=False)
                ._read_group([("issue_id", "in", self.ids)], ["issue_id"])
            )
        return self.filtered(lambda issue: issue.id not in referenced)

    def action_view_ad_bookings(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_ad_booking_action"
        )
        action["domain"] = [("issue_id", "in", self.ids)]
        return action

    def action_invoice_ads(self):
        """Invoice the advertisements of published issues (each booking once)."""
        today = fields.Date.context_today(self)
        for issue in self:
            if issue.date > today:
                raise UserError(
                    self.env._(
                        "Issue %(issue)s is published on %(date)s: its "
                        "advertisements are invoiced from that day on.",
                        issue=issue.name,
                        date=format_date(self.env, issue.date),
                    )
                )
        self.ad_booking_ids._invoice()
        return True
