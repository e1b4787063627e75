from odoo import api, fields, models, tools
from odoo.tools import SQL

# read_group aggregates computed as ratios rather than plain sums
RATIO_AGGREGATES = ("complaints_per_thousand:sum", "copies:sum")


class PublicationComplaintReport(models.Model):
    """Complaints per 1,000 delivered copies, by issue, route and category.

    Delivered copies are those of the issue's frozen distribution list (its
    totals); an issue complained about before its list was frozen counts its
    live forecast.

    One row per issue, route and complaint category; every row of an issue and
    route carries that issue's delivered copies on that route. Aggregates divide
    the summed copies by the number of categories in the group, so that any
    grouping (by route, by category, by issue...) gives the exact ratio.
    """

    _name = "publication.complaint.report"
    _description = "Complaint Statistics"
    _auto = False
    _order = "date desc, route_id, category_id"
    _depends = {
        "publication.issue.distribution": ["issue_id", "route_id", "copies"],
        "publication.distribution.total": ["issue_id", "route_id", "copies"],
        "helpdesk.ticket": ["issue_id", "route_id", "category_id"],
        "helpdesk.ticket.category": ["complaint_code"],
    }

    issue_id = fields.Many2one("publication.issue", readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    route_id = fields.Many2one("publication.route", readonly=True)
    category_id = fields.Many2one("helpdesk.ticket.category", readonly=True)
    ticket_count = fields.Integer(string="Complaints", readonly=True)
    copies = fields.Integer(string="Delivered Copies", readonly=True)
    complaints_per_thousand = fields.Float(
        string="Complaints per 1,000 Copies", readonly=True, digits=(16, 2)
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                WITH deliveries AS (
                    SELECT d.issue_id, COALESCE(d.route_id, 0) AS route_key,
                           d.route_id, d.copies
                      FROM publication_distribution_total d
                    UNION ALL
                    SELECT f.issue_id, COALESCE(f.route_id, 0), f.route_id, f.copies
                      FROM (%s) f
                ), complaints AS (
                    SELECT issue_id, COALESCE(route_id, 0) AS route_key, route_id,
                           category_id, COUNT(*) AS ticket_count
                      FROM helpdesk_ticket
                     WHERE issue_id IS NOT NULL
                       AND category_id IS NOT NULL
                       AND active
                     GROUP BY issue_id, route_id, category_id
                ), cells AS (
                    SELECT issue_id, route_key, MAX(route_id) AS route_id,
                           SUM(copies) AS copies
                      FROM (
                        SELECT issue_id, route_key, route_id, copies FROM deliveries
                        UNION ALL
                        SELECT issue_id, route_key, route_id, 0 FROM complaints
                      ) u
                     GROUP BY issue_id, route_key
                )
                SELECT
                    ((c.issue_id::bigint << 20) + c.route_key) * 1024 + cat.id AS id,
                    c.issue_id,
                    i.publication_id,
                    i.company_id,
                    i.date,
                    c.route_id,
                    cat.id AS category_id,
                    COALESCE(k.ticket_count, 0) AS ticket_count,
                    c.copies,
                    CASE WHEN c.copies > 0
                         THEN COALESCE(k.ticket_count, 0) * 1000.0 / c.copies
                    END AS complaints_per_thousand
                FROM cells c
                JOIN publication_issue i ON i.id = c.issue_id
                JOIN helpdesk_ticket_category cat
                  ON cat.complaint_code IS NOT NULL
                 AND (cat.company_id IS NULL OR cat.company_id = i.company_id)
                LEFT JOIN complaints k
                  ON k.issue_id = c.issue_id
                 AND k.route_key = c.route_key
                 AND k.category_id = cat.id
            )
            """,
                SQL.identifier(self._table),
                self._unfrozen_deliveries_sql(),
            )
        )

    def _unfrozen_deliveries_sql(self):
        """Copies of the issues complained about whose list is not frozen
        (published before the add-on froze lists): their live forecast."""
        return self.env["publication.distribution.line"]._rows_sql(
            SQL(
                """i.distribution_frozen_date IS NULL
               AND EXISTS (
                   SELECT 1 FROM helpdesk_ticket k
                    WHERE k.issue_id = i.id AND k.active
                      AND k.category_id IS NOT NULL)"""
            )
        )

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """Delivered copies counted once per issue and route whatever the number
        of categories grouped, and the complaint rate as a ratio of sums."""
        if aggregate_spec not in RATIO_AGGREGATES:
            return super()._read_group_select(aggregate_spec, query)
        copies = self._field_to_sql(self._table, "copies", query)
        category = self._field_to_sql(self._table, "category_id", query)
        delivered = SQL(
            "(SUM(%s)::numeric / NULLIF(COUNT(DISTINCT %s), 0))", copies, category
        )
        if aggregate_spec == "copies:sum":
            return SQL("ROUND(%s)::integer", delivered)
        tickets = self._field_to_sql(self._table, "ticket_count", query)
        return SQL(
            "ROUND(SUM(%s) * 1000.0 / NULLIF(%s, 0), 2)::float", tickets, delivered
        )
