"""The page plan of an issue: its pages, the space booked and left for ads
(per issue, page and format) and the flat plan the layout desk works from."""

import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round

from ..publication_ad_booking import PLACED_STATES
from ..publication_rate_card_line import AD_FORMAT_SPACE


class PublicationIssue(models.Model):
    _inherit = "publication.issue"

    page_count = fields.Integer(
        string="Pages",
        compute="_compute_page_plan_defaults",
        store=True,
        readonly=False,
        help="Pages of the issue; 0: no page plan (the space is not counted).",
    )
    editorial_pages = fields.Float(
        compute="_compute_page_plan_defaults",
        store=True,
        readonly=False,
        digits=(6, 2),
        help="Space reserved for the editorial content, in pages.",
    )
    ad_pages = fields.Float(
        string="Space for Ads",
        compute="_compute_space",
        help="Pages less the editorial space.",
    )
    space_booked = fields.Float(
        compute="_compute_space",
        help="Pages taken by the bookings (not by options or cancelled ones).",
    )
    space_left = fields.Float(compute="_compute_space")
    space_left_by_format = fields.Char(
        string="Fits in Space Left",
        compute="_compute_space",
        help="How many advertisements of each format still fit in the issue.",
    )
    ad_option_count = fields.Integer(
        string="Options", compute="_compute_space", help="Bookings waiting for space."
    )
    flat_plan_html = fields.Html(
        string="Flat Plan", compute="_compute_flat_plan_html", sanitize=False
    )

    @api.depends("publication_id")
    def _compute_page_plan_defaults(self):
        for issue in self:
            if not issue.page_count:
                issue.page_count = issue.publication_id.page_count
                issue.editorial_pages = issue.publication_id.editorial_pages

    @api.constrains("page_count", "editorial_pages")
    def _check_page_plan(self):
        for issue in self:
            if issue.page_count < 0:
                raise ValidationError(
                    self.env._(
                        "Pages of issue %(issue)s must not be negative, not %(value)s.",
                        issue=issue.name,
                        value=issue.page_count,
                    )
                )
            beyond = (
                self.env["publication.ad.booking"]
                .sudo()
                .search(
                    [
                        ("issue_id", "=", issue.id),
                        ("state", "!=", "cancelled"),
                        ("page", ">", issue.page_count),
                    ],
                    limit=1,
                )
            )
            if beyond:
                raise ValidationError(
                    self.env._(
                        "Issue %(issue)s cannot have %(value)s pages: booking "
                        "%(booking)s is placed on page %(page)s.",
                        issue=issue.name,
                        value=issue.page_count,
                        booking=beyond.name,
                        page=beyond.page,
                    )
                )
            if not 0 <= issue.editorial_pages <= issue.page_count:
                raise ValidationError(
                    self.env._(
                        "Editorial Pages of issue %(issue)s must lie between 0 and "
                        "its %(count)s pages, not %(value)s.",
                        issue=issue.name,
                        count=issue.page_count,
                        value=issue.editorial_pages,
                    )
                )

    def _space_groups(self):
        """(issue, page, state, space) of the bookings of these issues, not
        cancelled: one query."""
        return (
            self.env["publication.ad.booking"]
            .sudo()
            ._read_group(
                [("issue_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["issue_id", "page", "state"],
                ["space:sum", "__count"],
            )
        )

    @api.depends(
        "page_count",
        "editorial_pages",
        "ad_booking_ids.space",
        "ad_booking_ids.state",
    )
    def _compute_space(self):
        booked = {}
        options = {}
        for issue, _page, state, space, count in self._space_groups():
            if state in PLACED_STATES:
                booked[issue] = booked.get(issue, 0.0) + space
            elif state == "option":
                options[issue] = options.get(issue, 0) + count
        labels = dict(
            self.env["publication.ad.booking"]
            ._fields["ad_format"]
            ._description_selection(self.env)
        )
        for issue in self:
            issue.ad_pages = issue.page_count - issue.editorial_pages
            issue.space_booked = float_round(booked.get(issue, 0.0), 4)
            issue.space_left = float_round(issue.ad_pages - issue.space_booked, 4)
            issue.ad_option_count = options.get(issue, 0)
            left = max(issue.space_left, 0.0)
            issue.space_left_by_format = (
                ", ".join(
                    f"{labels[ad_format]} {math.floor(left / space + 1e-9)}"
                    for ad_format, space in AD_FORMAT_SPACE.items()
                )
                if issue.page_count
                else ""
            )

    @api.depends_context("show_space_left")
    @api.depends("name", "page_count", "editorial_pages", "ad_booking_ids.state")
    def _compute_display_name(self):
        show = self.env.context.get("show_space_left")
        for issue in self:
            issue.display_name = issue.name
            if show and issue.page_count:
                issue.display_name = self.env._(
                    "%(issue)s (%(left)s of %(pages)s pages free for ads)",
                    issue=issue.name,
                    left=issue.space_left,
                    pages=issue.ad_pages,
                )

    def _flat_plan(self):
        """The pages of each issue with their bookings (placed and waiting)
        and free space, and the bookings the layout desk has still to place:
        {issue: {"pages": [{"number", "bookings", "booked", "free"}],
        "unplaced": bookings, "options": bookings}}."""
        bookings = self.env["publication.ad.booking"].search(
            [("issue_id", "in", self.ids), ("state", "!=", "cancelled")],
            order="page, position, id",
        )
        plans = {}
        for issue in self:
            mine = bookings.filtered(lambda b, issue=issue: b.issue_id == issue)
            placed = mine.filtered(lambda b: b.state in PLACED_STATES)
            pages = []
            for number in range(1, issue.page_count + 1):
                on_page = placed.filtered(lambda b, n=number: b.page == n)
                booked = float_round(sum(on_page.mapped("space")), 4)
                pages.append(
                    {
                        "number": number,
                        "bookings": on_page,
                        "booked": booked,
                        "free": float_round(max(1.0 - booked, 0.0), 4),
                    }
                )
            plans[issue] = {
                "pages": pages,
                "unplaced": placed.filtered(lambda b: not b.page),
                "options": mine.filtered(lambda b: b.state == "option"),
            }
        return plans

    def _flat_plan_values(self):
        return {
            "plans": self._flat_plan(),
            "docs": self,
            "labels": {
                name: dict(
                    self.env["publication.ad.booking"]
                    ._fields[name]
                    ._description_selection(self.env)
                )
                for name in ("ad_format", "position")
            },
        }

    @api.depends("page_count", "ad_booking_ids.page", "ad_booking_ids.state")
    def _compute_flat_plan_html(self):
        values = self._flat_plan_values()
        for issue in self:
            issue.flat_plan_html = self.env["ir.qweb"]._render(
                "publication_crm.issue_flat_plan_pages",
                values | {"issue": issue, "plan": values["plans"][issue]},
            )

    def action_print_flat_plan(self):
        return self.env.ref(
            "publication_crm.action_report_issue_flat_plan"
        ).report_action(self)
