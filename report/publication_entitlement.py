from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL, Query

EDITIONS = [("print", "Print"), ("digital", "Digital"), ("both", "Print and Digital")]
REASONS = [
    ("subscription", "Own Subscription"),
    ("gift", "Gift"),
    ("sponsored", "Sponsored"),
    ("member", "Member Copy"),
    ("trial", "Trial"),
    ("organisation", "Organisation's Subscription"),
    ("seat", "Seat"),
]

# A row's id packs its subscription and its reader: unique while partner ids
# stay below 2**27, and below 2**53 (what the web client reads exactly) while
# subscription ids stay below 2**26.
READER_BITS = 27
# what the look-up service answers of an entitlement, with its publication
TERM_FIELDS = ("access_edition", "date_from", "date_until", "reason")


class PublicationEntitlement(models.Model):
    """What a reader may read: one row per subscription (not a draft) and
    reader, computed from the subscriptions when read, so that it follows
    their state at once.

    The readers of a subscription are its recipient and, when the recipient
    is a company, the company's contacts; and the members on its active
    digital seats, who read it digitally while it gives access (reason
    "seat"), so that every seat ends with it. Access Now is given by an active
    subscription between its start and its last day (its end, or the day of
    its cancellation). A publication with a payment grace confirms its
    subscriptions active, and the payment reminders suspend them when the
    grace is over: awaiting payment, suspended, expired and cancelled give no
    access. During a delivery pause a print + digital offer is still read
    digitally; print copies, and a digital-only subscription (whose end the
    pause moves), wait for its end. "Today" is the date in the company's
    time zone."""

    _name = "publication.entitlement"
    _description = "Entitlement"
    _auto = False
    _order = "date_from desc, id desc"
    _depends = {
        "publication.subscription": [
            "recipient_id",
            "publication_id",
            "company_id",
            "plan_id",
            "state",
            "origin",
            "is_gift",
            "delivery_method",
            "date_start",
            "date_end",
            "date_cancel",
            "date_cancel_planned",
            "digital_addon",
            "digital_addon_price",
        ],
        "publication.subscription.plan": [
            "channel",
            "is_trial",
            "digital_addon_price",
        ],
        "publication.subscription.pause": ["subscription_id", "date_from", "date_to"],
        "res.partner": ["commercial_partner_id", "is_company", "type", "active", "tz"],
        "res.company": ["partner_id"],
        "publication.subscription.seat": ["subscription_id", "partner_id", "state"],
    }

    reader_id = fields.Many2one("res.partner", readonly=True)
    subscription_id = fields.Many2one("publication.subscription", readonly=True)
    recipient_id = fields.Many2one("res.partner", readonly=True)
    publication_id = fields.Many2one("publication.publication", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    plan_id = fields.Many2one(
        "publication.subscription.plan", string="Offer", readonly=True
    )
    state = fields.Selection(
        lambda self: self.env["publication.subscription"]._fields["state"].selection,
        string="Subscription State",
        readonly=True,
    )
    edition = fields.Selection(
        EDITIONS,
        readonly=True,
        help="What the offer gives: print, digital or both (print + digital "
        "offers, print with the digital add-on).",
    )
    reason = fields.Selection(REASONS, readonly=True)
    date_from = fields.Date(string="From", readonly=True)
    date_until = fields.Date(
        string="Until",
        readonly=True,
        help="Last day: the subscription's end, or its cancellation's day.",
    )
    is_paused = fields.Boolean(
        string="Paused Today", readonly=True, help="A delivery pause covers today."
    )
    access_edition = fields.Selection(
        EDITIONS,
        string="Readable Now",
        readonly=True,
        help="What the reader may read today: empty without access; digital "
        "only for a print + digital offer whose print delivery is paused.",
    )
    grants_access = fields.Boolean(string="Access Now", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %(table)s AS (
                SELECT (s.subscription_id::bigint << %(bits)s) + rd.reader_id AS id,
                       rd.reader_id,
                       CASE WHEN rd.via_organisation THEN 'organisation'
                            ELSE s.reason END AS reason,
                       s.subscription_id, s.recipient_id, s.publication_id,
                       s.company_id, s.plan_id, s.state, s.edition, s.date_from,
                       s.date_until, s.is_paused, s.access_edition,
                       s.access_edition IS NOT NULL AS grants_access
                  FROM (%(readers)s) rd
                  JOIN (%(subscriptions)s) s
                    ON s.recipient_id = rd.recipient_id
                   AND (s.recipient_is_company OR NOT rd.via_organisation)
                 UNION ALL
                SELECT (s.subscription_id::bigint << %(bits)s) + st.reader_id,
                       st.reader_id, 'seat',
                       s.subscription_id, s.recipient_id, s.publication_id,
                       s.company_id, s.plan_id, s.state, 'digital', s.date_from,
                       s.date_until, s.is_paused,
                       CASE WHEN s.seat_reads THEN 'digital' END, s.seat_reads
                  FROM (%(seats)s) st
                  JOIN (%(subscriptions)s) s ON s.subscription_id = st.subscription_id
                 WHERE st.reader_id != s.recipient_id
                   AND (st.contact_of IS DISTINCT FROM s.recipient_id
                        OR NOT s.recipient_is_company)
            )""",
                table=SQL.identifier(self._table),
                bits=READER_BITS,
                readers=self._view_readers_sql(),
                subscriptions=self._subscriptions_sql(),
                seats=self._view_seats_sql(),
            )
        )

    @api.model
    def _view_readers_sql(self):
        """Who reads what a recipient receives: the recipient, and a company's
        contacts (people, not its addresses). Each branch reads one table, so
        that PostgreSQL filters it by reader on its index."""
        return SQL(
            """
            SELECT id AS reader_id, id AS recipient_id, FALSE AS via_organisation
              FROM res_partner
            UNION ALL
            SELECT id, commercial_partner_id, TRUE
              FROM res_partner
             WHERE id != commercial_partner_id AND type = 'contact' AND active
            """
        )

    @api.model
    def _view_seats_sql(self):
        """The members on the active seats of a subscription, who read it
        digitally (see seat_reads); the view leaves out those who read it
        already as its recipient or one of its company's contacts (one row
        per subscription and reader)."""
        return SQL(
            """
            SELECT seat.subscription_id, seat.partner_id AS reader_id,
                   CASE WHEN m.id != m.commercial_partner_id
                         AND m.type = 'contact' AND m.active
                        THEN m.commercial_partner_id END AS contact_of
              FROM publication_subscription_seat seat
              JOIN res_partner m ON m.id = seat.partner_id
             WHERE seat.state = 'active'
            """
        )

    @api.model
    def _subscriptions_sql(self):
        """Each subscription (not a draft) with its edition, reason, last day
        and what it gives today (pauses do not overlap: one at most)."""
        return SQL(
            """
            SELECT s.id AS subscription_id, s.recipient_id,
                   r.is_company AS recipient_is_company,
                   s.publication_id, s.company_id, s.plan_id, s.state,
                   o.edition, o.reason,
                   s.date_start AS date_from, o.date_until,
                   pause.id IS NOT NULL AS is_paused,
                   -- a digital seat reads while the subscription is in its
                   -- term, but for the pause of a digital-only one (which
                   -- moves its end)
                   s.state = 'active'
                   AND t.today BETWEEN s.date_start AND o.date_until
                   AND (pause.id IS NULL OR o.edition != 'digital') AS seat_reads,
                   CASE WHEN s.state != 'active'
                          OR t.today NOT BETWEEN s.date_start AND o.date_until
                        THEN NULL
                        WHEN pause.id IS NULL THEN o.edition
                        WHEN o.edition = 'both' THEN 'digital'
                   END AS access_edition
              FROM publication_subscription s
              JOIN publication_subscription_plan plan ON plan.id = s.plan_id
              JOIN res_partner r ON r.id = s.recipient_id
             CROSS JOIN LATERAL (
                 SELECT (now() AT TIME ZONE COALESCE(cp.tz, 'UTC'))::date AS today
                   FROM res_company c
                   JOIN res_partner cp ON cp.id = c.partner_id
                  WHERE c.id = s.company_id
                 OFFSET 0  -- planned apart: a look-up is planned 4 times faster
             ) t
             CROSS JOIN LATERAL (
                 SELECT CASE
                        WHEN plan.channel = 'bundle'
                          OR (plan.channel = 'print' AND s.digital_addon
                              AND (s.digital_addon_price > 0
                                   OR plan.digital_addon_price > 0))
                        THEN 'both'
                        WHEN plan.channel = 'digital' OR s.delivery_method = 'digital'
                        THEN 'digital'
                        ELSE 'print'
                        END AS edition,
                        CASE
                        WHEN s.origin = 'trial' OR plan.is_trial THEN 'trial'
                        WHEN s.origin IN ('member', 'sponsored') THEN s.origin
                        WHEN s.origin = 'gift' OR s.is_gift THEN 'gift'
                        ELSE 'subscription'
                        END AS reason,
                        LEAST(s.date_end, s.date_cancel, s.date_cancel_planned)
                        AS date_until
             ) o
              LEFT JOIN publication_subscription_pause pause
                ON pause.subscription_id = s.id
               AND t.today BETWEEN pause.date_from AND pause.date_to
             WHERE s.state != 'draft'
            """
        )

    @api.model
    def _readers_sql(self, key, value):
        """The partners a look-up finds: by the login of an active user, by
        an active partner's e-mail (normalized), or by customer number (the
        commercial partner's id that the paper letters print)."""
        if key == "login":
            return SQL(
                "SELECT partner_id FROM res_users WHERE login = %s AND active",
                value,
                to_flush=self.env["res.users"]._fields["login"],
            )
        column = {"email": "email_normalized", "customer": "commercial_partner_id"}
        return SQL(
            "SELECT id FROM res_partner WHERE %s = %s AND active",
            SQL.identifier(column[key]),
            value,
            to_flush=self.env["res.partner"]._fields[column[key]],
        )

    @api.model
    def _lookup(self, key, value):
        """What the readers found by key (login, email or customer) may read
        now, in their terms only: [{publication: {code, name}, edition, from,
        until, reason}]. Two queries, under the user's access rights and
        record rules: the readers with their companies and seats, then their
        terms, read from the rows of the view of these readers only (see
        _readers_entitlements_sql), which PostgreSQL plans faster than the
        whole view (the most of a look-up's time in SQL)."""
        self.check_access("read")
        domain = []
        if key == "customer":
            # the customer's contacts read what the customer itself does
            domain.append(("reason", "!=", "organisation"))
        return self._terms(domain, self._readers_sql(key, value))

    @api.model
    def _own_terms(self):
        """What the current user may read now, in the look-up's terms: their
        own entitlements only, whatever their access rights to the others."""
        partner = self.env.user.partner_id
        return self.sudo()._terms([("reader_id", "=", partner.id)])

    @api.model
    def _lookup_ip(self, address):
        """What anyone reading from address (an ipaddress address) may read
        now by the site licences whose networks hold it: the licences' terms
        [{publication: {code, name}, edition: digital, from, until, reason:
        site_licence}], nothing of the organisation. A licence reads while its
        subscription is in its term (as a digital seat, see
        _subscriptions_sql), within the user's companies."""
        self.check_access("read")
        self.env["publication.site.licence"].flush_model(["active", "subscription_id"])
        self.env["publication.site.licence.network"].flush_model(["licence_id", "cidr"])
        for model, field_names in self._depends.items():
            self.env[model].flush_model(field_names)
        rows = self.env.execute_query(
            SQL(
                """
            SELECT DISTINCT s.publication_id, s.date_from, s.date_until
              FROM publication_site_licence_network n
              JOIN publication_site_licence l ON l.id = n.licence_id AND l.active
              JOIN (%(subscriptions)s) s ON s.subscription_id = l.subscription_id
             WHERE n.cidr::cidr >>= %(address)s::inet
               AND s.seat_reads AND s.company_id IN %(companies)s
                """,
                subscriptions=self._subscriptions_sql(),
                address=str(address),
                companies=tuple(self.env.companies.ids),
            )
        )
        publications = (
            self.env["publication.publication"].sudo().browse({row[0] for row in rows})
        )
        return [
            {
                "publication": {"code": publication.code, "name": publication.name},
                "edition": "digital",
                "from": date_from.isoformat(),
                "until": date_until.isoformat(),
                "reason": "site_licence",
            }
            for publication, date_from, date_until in sorted(
                ((publications.browse(row[0]), row[1], row[2]) for row in rows),
                key=lambda row: (row[0].code, row[1], row[2]),
            )
        ]

    @api.model
    def _terms(self, domain, readers=None):
        """The distinct terms readable now of the entitlements of domain,
        with their publication's code and name (in the user's language); of
        the readers only when given (see _search_readers)."""
        domain = Domain.AND([domain, [("grants_access", "=", True)]])
        if readers is None:
            query = self._search(domain)
        else:
            query = self._search_readers(domain, readers)
            if query is None:
                return []
        publication = query.join(
            self._table, "publication_id", "publication_publication", "id", "pub"
        )
        rows = self.env.execute_query(
            query.select(
                SQL(
                    "DISTINCT %s, %s, %s, %s, %s, %s",
                    SQL.identifier(publication, "code"),
                    self.env["publication.publication"]._field_to_sql(
                        publication, "name", query
                    ),
                    *(
                        self._field_to_sql(self._table, field, query)
                        for field in TERM_FIELDS
                    ),
                )
            )
        )
        return [
            {
                "publication": {"code": code, "name": name},
                "edition": edition,
                "from": date_from.isoformat(),
                "until": date_until.isoformat(),
                "reason": reason,
            }
            for code, name, edition, date_from, date_until, reason in sorted(
                rows, key=lambda row: (row[0], row[3], row[2])
            )
        ]

    @api.model
    def _search_readers(self, domain, readers):
        """What _search(domain) gives of the entitlements of readers (partner
        ids, or an SQL query of them), under the same access rights and
        record rules, but read from _readers_entitlements_sql(readers)
        instead of the whole view; None when it finds nothing before asking
        PostgreSQL (no reader, a domain or record rules always false)."""
        self.check_access("read")
        entitlements = self._readers_entitlements_sql(readers)
        if entitlements is None:
            return None
        table = SQL("(%s)%s", entitlements, self._flush_depends_sql())
        query = Query(self.env, self._table, table)
        domain = Domain(domain).optimize_full(self)
        if domain.is_false():
            return None
        if not domain.is_true():
            query.add_where(domain._to_sql(self, self._table, query))
        if not self.env.su:
            self_sudo = self.sudo().with_context(active_test=False)
            rules = self.env["ir.rule"]._compute_domain(self._name, "read")
            rules = rules.optimize_full(self_sudo)
            if rules.is_false():
                return None
            if not rules.is_true():
                query.add_where(rules._to_sql(self_sudo, self._table, query))
        return query

    @api.model
    def _readers_entitlements_sql(self, readers):
        """The rows of the view of readers (partner ids, or an SQL query of
        them): the same columns and values (one row per subscription and
        reader); None without any reader. The readers' companies and seats
        are read first, so that PostgreSQL plans no more than the readers'
        subscriptions (_subscriptions_sql), faster than the whole view:
        a reader reads a subscription they receive; a company's contact (see
        _view_readers_sql) one that the company receives; a member on one of
        its active seats one of which they are neither (see init)."""
        if not isinstance(readers, SQL):
            readers = SQL("SELECT unnest(%s::int[])", list(readers))
        reader_ids, contact_of, seats, recipients = [], [], [], set()
        for reader_id, company_id, seat_ids in self.env.execute_query(
            SQL(
                """
            SELECT p.id,
                   CASE WHEN p.id != p.commercial_partner_id
                         AND p.type = 'contact' AND p.active
                        THEN p.commercial_partner_id END,
                   ARRAY(SELECT seat.subscription_id
                           FROM publication_subscription_seat seat
                          WHERE seat.partner_id = p.id AND seat.state = 'active')
              FROM res_partner p
             WHERE p.id IN (%s)%s
                """,
                readers,
                self._flush_depends_sql(),
            )
        ):
            reader_ids.append(reader_id)
            contact_of.append(company_id)
            recipients.update({reader_id, company_id} - {None})
            seats.extend((seat_id << READER_BITS) + reader_id for seat_id in seat_ids)
        if not reader_ids:
            return None
        return SQL(
            """
            SELECT (s.subscription_id::bigint << %(bits)s) + rd.reader_id AS id,
                   rd.reader_id,
                   CASE WHEN k.kind = 'own' THEN s.reason ELSE k.kind END AS reason,
                   s.subscription_id, s.recipient_id, s.publication_id,
                   s.company_id, s.plan_id, s.state,
                   CASE WHEN k.kind = 'seat' THEN 'digital' ELSE s.edition END
                   AS edition,
                   s.date_from, s.date_until, s.is_paused,
                   CASE WHEN k.kind IS DISTINCT FROM 'seat' THEN s.access_edition
                        WHEN s.seat_reads THEN 'digital' END AS access_edition,
                   CASE WHEN k.kind IS DISTINCT FROM 'seat'
                        THEN s.access_edition IS NOT NULL
                        ELSE s.seat_reads END AS grants_access
              FROM (%(subscriptions)s
                    AND (s.recipient_id = ANY(%(recipients)s)
                         OR s.id = ANY(%(seat_subscriptions)s))) s
             CROSS JOIN unnest(%(readers)s::int[], %(contact_of)s::int[])
                   AS rd(reader_id, contact_of)
             CROSS JOIN LATERAL (
                 SELECT CASE
                        WHEN s.recipient_id = rd.reader_id THEN 'own'
                        WHEN s.recipient_id = rd.contact_of
                         AND s.recipient_is_company THEN 'organisation'
                        WHEN ((s.subscription_id::bigint << %(bits)s)
                              + rd.reader_id) = ANY(%(seats)s::bigint[])
                         AND (rd.contact_of IS DISTINCT FROM s.recipient_id
                              OR NOT s.recipient_is_company) THEN 'seat'
                        END AS kind
             ) k
             WHERE k.kind IS NOT NULL
            """,
            bits=READER_BITS,
            subscriptions=self._subscriptions_sql(),
            recipients=SQL("%s::int[]", sorted(recipients)),
            seat_subscriptions=SQL(
                "%s::int[]", sorted({seat >> READER_BITS for seat in seats})
            ),
            readers=reader_ids,
            contact_of=contact_of,
            seats=seats,
        )

    @api.model
    def _flush_depends_sql(self):
        """No SQL, but what the view reads (_depends) to flush before."""
        return SQL().join(
            SQL(to_flush=self.env[model]._fields[field_name])
            for model, field_names in self._depends.items()
            for field_name in field_names
        )
