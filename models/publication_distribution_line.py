from odoo import api, fields, models
from odoo.tools import SQL

from .publication_issue.publication_issue import DELIVERY_METHODS

DELIVERED_STATES = ("active", "expired", "cancelled")
LINE_KINDS = [
    ("subscription", "Subscription"),
    ("replacement", "Replacement Copy"),
    ("proof", "Proof Copy"),
    ("extra", "Extra Copies"),
]
# what a copy counts as in an audited circulation (see _circulation_sql)
CIRCULATION = [
    ("paid", "Paid"),
    ("member", "Member"),
    ("sponsored", "Sponsored or Gift"),
    ("trial", "Free: Trial"),
    ("complimentary", "Free: Complimentary"),
    ("spare", "Spare (Route Extras)"),
    ("replacement", "Replacement"),
]
# the category of the lines that are not a subscription's own copies
KIND_CIRCULATION = {
    "replacement": "replacement",
    "proof": "complimentary",
    "extra": "spare",
}


class PublicationDistributionLine(models.Model):
    """One line of an issue's frozen distribution list: who got how many copies
    where, as it was when the issue went to print.

    Lines are written only in SQL, set-based (``_freeze``, ``_append``), and
    never changed afterwards; the address is a copy, not a link.
    """

    _name = "publication.distribution.line"
    _description = "Distribution List Line"
    _order = "issue_id, route_id, stop, zip, street, id"
    _log_access = False

    issue_id = fields.Many2one(
        "publication.issue", required=True, readonly=True, ondelete="cascade"
    )
    # read from the issue, not stored: each stored link costs a foreign-key
    # check per line when a list is frozen
    publication_id = fields.Many2one(related="issue_id.publication_id")
    company_id = fields.Many2one(related="issue_id.company_id")
    date = fields.Date(related="issue_id.date")
    kind = fields.Selection(LINE_KINDS, required=True, readonly=True)
    subscription_id = fields.Many2one(
        "publication.subscription", readonly=True, index=True, ondelete="set null"
    )
    name = fields.Char(string="Recipient", readonly=True)
    street = fields.Char(readonly=True)
    street2 = fields.Char(readonly=True)
    zip = fields.Char(readonly=True)
    city = fields.Char(readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    route_id = fields.Many2one("publication.route", readonly=True)
    stop = fields.Integer(string="Stop Order", readonly=True)
    delivery_method = fields.Selection(DELIVERY_METHODS, readonly=True)
    copies = fields.Integer(readonly=True)
    circulation = fields.Selection(
        CIRCULATION,
        readonly=True,
        help="What the copies count as in an audited circulation, written with "
        "the list: paid, member, sponsored or gift, free (trial or "
        "complimentary: proof copies and subscriptions at no price), spare "
        "copies of a route, replacements.",
    )

    _issue_idx = models.Index("(issue_id, route_id)")

    # ------------------------------------------------------------------
    # The rows of a distribution list, in SQL
    # ------------------------------------------------------------------
    @api.model
    def _delivered_sql(self):
        """Subscription s is delivered on the date of issue i: the date lies
        between its start and end, it was delivered then (active, or since
        expired or cancelled on or after that date; a draft never confirmed has
        no period), and no pause covers the date."""
        return SQL(
            """s.publication_id = i.publication_id
           AND s.date_start <= i.date
           AND s.date_end >= i.date
           AND s.state IN %s
           AND (s.date_cancel IS NULL OR s.date_cancel >= i.date)
           AND EXISTS (
               SELECT 1 FROM publication_subscription_period sp
                WHERE sp.subscription_id = s.id)
           AND NOT EXISTS (
               SELECT 1 FROM publication_subscription_pause p
                WHERE p.subscription_id = s.id
                  AND p.date_from <= i.date
                  AND p.date_to >= i.date)""",
            DELIVERED_STATES,
        )

    @api.model
    def _subscription_circulation_sql(self):
        """The circulation category of the copies of subscription s: member
        (paid by the membership fee), trial (a trial offer), sponsored or gift
        (paid by someone other than the reader), paid (at a price), else
        complimentary (at no price)."""
        return SQL(
            """CASE
                 WHEN s.origin = 'member' THEN 'member'
                 WHEN s.origin = 'trial' OR EXISTS (
                      SELECT 1 FROM publication_subscription_plan pl
                       WHERE pl.id = s.plan_id AND pl.is_trial) THEN 'trial'
                 WHEN s.origin IN ('gift', 'sponsored') OR s.is_gift
                      THEN 'sponsored'
                 WHEN s.price_unit > 0 THEN 'paid'
                 ELSE 'complimentary'
               END"""
        )

    @api.model
    def _circulation_sql(self, line_alias):
        """The circulation category of the lines line_alias, joined to their
        subscription as s: as written with the list, or for a line written
        before lists held it, from its kind and its subscription."""
        line = SQL.identifier(line_alias)
        return SQL(
            """COALESCE(%(line)s.circulation, CASE %(line)s.kind
                 WHEN 'replacement' THEN %(replacement)s
                 WHEN 'proof' THEN %(proof)s
                 WHEN 'extra' THEN %(extra)s
                 ELSE %(subscription)s END)""",
            line=line,
            replacement=KIND_CIRCULATION["replacement"],
            proof=KIND_CIRCULATION["proof"],
            extra=KIND_CIRCULATION["extra"],
            subscription=self._subscription_circulation_sql(),
        )

    @api.model
    def _rows_sql(self, issues_where):
        """Rows (issue_id, kind, subscription_id, partner_id, address_id,
        route_id, stop, delivery_method, copies, circulation) of the issues i matching
        issues_where: delivered subscriptions, replacement copies, one proof
        copy per advertiser booked in the issue, and the extra copies of each
        route that delivers the issue."""
        return SQL(
            "%s UNION ALL %s UNION ALL %s UNION ALL %s",
            self._subscription_rows_sql(issues_where),
            self._replacement_rows_sql(issues_where),
            self._proof_rows_sql(issues_where),
            self._extra_rows_sql(issues_where),
        )

    @api.model
    def _subscription_rows_sql(self, issues_where):
        return SQL(
            """SELECT i.id AS issue_id, 'subscription' AS kind,
                      s.id AS subscription_id, s.recipient_id AS partner_id,
                      s.delivery_address_id AS address_id, s.route_id,
                      s.route_stop AS stop, s.delivery_method, s.quantity AS copies,
                      %s AS circulation
                 FROM publication_issue i
                 JOIN publication_subscription s ON %s
                WHERE %s""",
            self._subscription_circulation_sql(),
            self._delivered_sql(),
            issues_where,
        )

    @api.model
    def _replacement_rows_sql(self, where):
        return SQL(
            """SELECT r.issue_id, 'replacement' AS kind, r.subscription_id,
                      s.recipient_id AS partner_id, s.delivery_address_id AS address_id,
                      r.route_id, s.route_stop AS stop, r.delivery_method,
                      r.quantity AS copies, %s AS circulation
                 FROM publication_issue_replacement r
                 JOIN publication_issue i ON i.id = r.issue_id
                 JOIN publication_subscription s ON s.id = r.subscription_id
                WHERE %s""",
            KIND_CIRCULATION["replacement"],
            where,
        )

    @api.model
    def _proof_rows_sql(self, issues_where):
        """One proof copy per advertiser, on the route of its postal code (the
        first route by sequence, as for subscriptions), else by post."""
        return SQL(
            """SELECT i.id, 'proof', NULL, b.partner_id, b.partner_id, ro.id, 0,
                      COALESCE(ro.delivery_method, 'post'), 1, %s
                 FROM publication_issue i
                 JOIN (SELECT DISTINCT issue_id, partner_id
                         FROM publication_ad_booking
                        WHERE state != 'cancelled') b ON b.issue_id = i.id
                 JOIN res_partner a ON a.id = b.partner_id
            LEFT JOIN LATERAL (
                   SELECT ro.id, ro.delivery_method
                     FROM publication_route ro
                    WHERE ro.active
                      AND ro.company_id = i.company_id
                      AND ro.delivery_method != 'digital'
                      AND (ro.country_id IS NULL OR a.country_id IS NULL
                           OR ro.country_id = a.country_id)
                      AND length(upper(replace(a.zip, ' ', '')))
                          = length(upper(replace(ro.zip_from, ' ', '')))
                      AND upper(replace(a.zip, ' ', ''))
                          BETWEEN upper(replace(ro.zip_from, ' ', ''))
                              AND upper(replace(ro.zip_to, ' ', ''))
                 ORDER BY ro.sequence, ro.code, ro.id
                    LIMIT 1) ro ON TRUE
                WHERE %s""",
            KIND_CIRCULATION["proof"],
            issues_where,
        )

    @api.model
    def _extra_rows_sql(self, issues_where):
        return SQL(
            """SELECT i.id, 'extra', NULL, NULL, NULL, ro.id, 0, ro.delivery_method,
                      ro.extra_copies, %s
                 FROM publication_issue i
                 JOIN publication_route ro
                   ON ro.company_id = i.company_id
                  AND ro.active
                  AND ro.extra_copies > 0
                  AND ro.delivery_method != 'digital'
                WHERE %s
                  AND EXISTS (
                      SELECT 1 FROM publication_subscription s
                       WHERE s.route_id = ro.id AND %s)""",
            KIND_CIRCULATION["extra"],
            issues_where,
            self._delivered_sql(),
        )

    # ------------------------------------------------------------------
    # Writing frozen lists
    # ------------------------------------------------------------------
    @api.model
    def _insert(self, rows):
        """Write rows as lines with a copy of their addresses, and their totals
        by route and delivery method, in one statement."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH r AS (%(rows)s),
                lines AS (
                    INSERT INTO publication_distribution_line (
                        issue_id, kind, subscription_id, name, street, street2,
                        zip, city, country_id, route_id, stop, delivery_method,
                        copies, circulation)
                    SELECT r.issue_id, r.kind, r.subscription_id, p.name,
                           a.street, a.street2, a.zip, a.city, a.country_id,
                           r.route_id, COALESCE(r.stop, 0), r.delivery_method,
                           r.copies, r.circulation
                      FROM r
                 LEFT JOIN res_partner p ON p.id = r.partner_id
                 LEFT JOIN res_partner a ON a.id = r.address_id
                 RETURNING issue_id, kind, route_id, delivery_method, copies)
                INSERT INTO publication_distribution_total (
                    issue_id, route_id, delivery_method, subscription_count,
                    copies, replacement_copies)
                SELECT issue_id, route_id, delivery_method,
                       COUNT(*) FILTER (WHERE kind = 'subscription'),
                       SUM(copies),
                       COALESCE(SUM(copies) FILTER (WHERE kind = 'replacement'), 0)
                  FROM lines
              GROUP BY issue_id, route_id, delivery_method""",
                rows=rows,
            )
        )
        for model in (
            self,
            self.env["publication.distribution.total"],
            self.env["publication.issue.distribution"],
        ):
            model.invalidate_model()
        self.env["publication.issue"].invalidate_model(
            ["print_run", "copies_post", "copies_carrier", "copies_digital"]
        )

    @api.model
    def _freeze(self, issues):
        """Write the distribution lists of issues (set-based)."""
        self._insert(self._rows_sql(SQL("i.id = ANY(%s)", issues.ids)))

    @api.model
    def _append_replacements(self, replacements):
        """Replacement copies sent after the list was frozen: added as their own
        lines (the lines already written do not change)."""
        self._insert(
            self._replacement_rows_sql(SQL("r.id = ANY(%s)", replacements.ids))
        )
