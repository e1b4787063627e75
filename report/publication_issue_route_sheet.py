from odoo import api, models

ADDRESS_FIELDS = ("street", "street2", "zip", "city", "country_id", "route_id")


class ReportIssueRouteSheet(models.AbstractModel):
    """The carrier's walk list of each route of an issue's frozen list: stops
    in order with name, address, copies and the change since the previous
    issue (new, moved, stopped), and the route's total."""

    _name = "report.publication_crm.report_issue_route_sheet"
    _description = "Route Sheets"

    @api.model
    def _previous_issue(self, issue):
        return self.env["publication.issue"].search(
            [
                ("publication_id", "=", issue.publication_id.id),
                ("date", "<", issue.date),
                ("distribution_frozen_date", "!=", False),
            ],
            order="date desc, id desc",
            limit=1,
        )

    @api.model
    def _route_sheets(self, issue, routes=None):
        Line = self.env["publication.distribution.line"]
        domain = [("issue_id", "=", issue.id), ("delivery_method", "!=", "digital")]
        if routes is not None:
            domain.append(("route_id", "in", routes.ids))
        lines = Line.search(domain, order="stop, zip, street, name, id")
        previous_issue = self._previous_issue(issue)
        previous = {}
        stopped = Line
        if previous_issue:
            before = Line.search(
                [
                    ("issue_id", "=", previous_issue.id),
                    ("kind", "=", "subscription"),
                    "|",
                    ("route_id", "in", lines.route_id.ids),
                    ("subscription_id", "in", lines.subscription_id.ids),
                ]
            )
            previous = {line.subscription_id: line for line in before}
            staying = {
                (line.subscription_id, line.route_id)
                for line in lines
                if line.kind == "subscription"
            }
            stopped = before.filtered(
                lambda b: (
                    b.route_id in lines.route_id
                    and (b.subscription_id, b.route_id) not in staying
                )
            )
        sheets = []
        for route, route_lines in lines.grouped("route_id").items():
            extra = route_lines.filtered(lambda x: x.kind == "extra")
            stops = [
                {"line": line, "change": self._change(line, previous, previous_issue)}
                for line in route_lines - extra
            ]
            sheets.append(
                {
                    "route": route,
                    "stops": stops,
                    "stopped": stopped.filtered(lambda b, r=route: b.route_id == r),
                    "extra": sum(extra.mapped("copies")),
                    "addresses": len(stops),
                    "copies": sum(route_lines.mapped("copies")),
                }
            )
        return sorted(sheets, key=lambda s: self._route_key(s["route"]))

    @api.model
    def _route_key(self, route):
        """Routes in their order, the addresses without route last."""
        return (not route, route.sequence, route.code or "", route.id)

    @api.model
    def _change(self, line, previous, previous_issue):
        if line.kind != "subscription" or not previous_issue:
            return ""
        before = previous.get(line.subscription_id)
        if not before:
            return self.env._("new")
        if any(before[field] != line[field] for field in ADDRESS_FIELDS):
            return self.env._("moved")
        return ""

    @api.model
    def _get_report_values(self, docids, data=None):
        issues = self.env["publication.issue"].browse(docids)
        issues._check_frozen()
        routes = None
        if data and data.get("route_ids"):
            routes = self.env["publication.route"].browse(data["route_ids"])
        return {
            "doc_ids": docids,
            "doc_model": "publication.issue",
            "docs": issues,
            "sheets": [
                sheet | {"issue": issue}
                for issue in issues
                for sheet in self._route_sheets(issue, routes)
            ],
            "kinds": dict(
                self.env["publication.distribution.line"]._fields["kind"].selection
            ),
        }
