"""What a subscription gets on the distribution lists: its stop on the
carrier's walk and the issues owed, delivered, replaced and still owed."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

COMPARATORS = {op: SQL(op) for op in ("<", "<=", ">", ">=", "=", "!=")}


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    route_stop = fields.Integer(
        string="Stop Order",
        help="Position of the delivery address on its route's walk: route "
        "sheets list the stops in this order (then by postal code and street).",
    )
    issue_owed_count = fields.Integer(
        string="Issues Owed",
        compute="_compute_issue_counts",
        help="Planned issues from the start to the end, outside pauses. For "
        "terms counted in issues the end is the day before the issue after the "
        "last one owed.",
    )
    issue_delivered_count = fields.Integer(
        string="Issues Delivered",
        compute="_compute_issue_counts",
        search="_search_issue_delivered_count",
        help="Issues whose frozen distribution list holds this subscription.",
    )
    issue_replaced_count = fields.Integer(
        string="Issues Replaced",
        compute="_compute_issue_counts",
        help="Issues sent again after a complaint.",
    )
    issue_remaining_count = fields.Integer(
        string="Issues Still Owed",
        compute="_compute_issue_counts",
        search="_search_issue_remaining_count",
        help="Issues owed whose distribution list is not frozen yet.",
    )

    def _owed_issues_sql(self, extra=None):
        """Issues i owed to subscription s (correlated on s)."""
        return SQL(
            """SELECT i.id, i.distribution_frozen_date
                 FROM publication_issue i
                WHERE i.publication_id = s.publication_id
                  AND i.date >= s.date_start
                  AND i.date <= LEAST(s.date_end, COALESCE(s.date_cancel, s.date_end))
                  AND NOT EXISTS (
                      SELECT 1 FROM publication_subscription_pause p
                       WHERE p.subscription_id = s.id
                         AND p.date_from <= i.date AND p.date_to >= i.date)
                  AND %s""",
            extra or SQL("TRUE"),
        )

    @api.depends("date_start", "date_end", "date_cancel", "pause_ids")
    def _compute_issue_counts(self):
        owed = dict.fromkeys(self.ids, (0, 0))
        if self.ids:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """SELECT s.id, COUNT(o.id),
                              COUNT(o.id) FILTER (
                                  WHERE o.distribution_frozen_date IS NULL)
                         FROM publication_subscription s
                         JOIN LATERAL (%s) o ON TRUE
                        WHERE s.id = ANY(%s)
                     GROUP BY s.id""",
                    self._owed_issues_sql(),
                    self.ids,
                )
            )
            owed |= {row[0]: row[1:] for row in self.env.cr.fetchall()}
        lines = {
            (subscription.id, kind): count
            for subscription, kind, count in self.env["publication.distribution.line"]
            .sudo()
            ._read_group(
                [("subscription_id", "in", self.ids)],
                ["subscription_id", "kind"],
                ["issue_id:count_distinct"],
            )
        }
        replaced = dict(
            self.env["publication.issue.replacement"]
            .sudo()
            ._read_group(
                [("subscription_id", "in", self.ids)],
                ["subscription_id"],
                ["issue_id:count_distinct"],
            )
        )
        for subscription in self:
            counts = owed.get(subscription.id, (0, 0))
            subscription.issue_owed_count = counts[0]
            subscription.issue_remaining_count = counts[1]
            subscription.issue_delivered_count = lines.get(
                (subscription.id, "subscription"), 0
            )
            subscription.issue_replaced_count = replaced.get(subscription, 0)

    def _search_by_count(self, count_sql, operator, value):
        """Subscriptions whose count (an SQL expression correlated on s)
        compares to value."""
        if operator in ("in", "not in"):
            condition = SQL(
                "(%s) = ANY(%s)" if operator == "in" else "NOT (%s) = ANY(%s)",
                count_sql,
                [int(v) for v in value],
            )
        elif operator in COMPARATORS:
            condition = SQL("(%s) %s %s", count_sql, COMPARATORS[operator], int(value))
        else:
            raise UserError(
                self.env._("Operator %(operator)s is not supported.", operator=operator)
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT s.id FROM publication_subscription s WHERE %s", condition)
        )
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    def _search_issue_remaining_count(self, operator, value):
        owed = self._owed_issues_sql(SQL("i.distribution_frozen_date IS NULL"))
        return self._search_by_count(
            SQL("SELECT COUNT(*) FROM (%s) o", owed), operator, value
        )

    def _search_issue_delivered_count(self, operator, value):
        return self._search_by_count(
            SQL(
                """SELECT COUNT(DISTINCT l.issue_id)
                     FROM publication_distribution_line l
                    WHERE l.subscription_id = s.id AND l.kind = 'subscription'"""
            ),
            operator,
            value,
        )
