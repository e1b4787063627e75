from odoo import api, fields, models
from odoo.tools import SQL

from ..report.publication_entitlement import EDITIONS, REASONS

EVENTS = [("granted", "Granted"), ("changed", "Changed"), ("revoked", "Revoked")]


class PublicationEntitlementSnapshot(models.Model):
    """What the webhooks last announced of each entitlement (reader and
    subscription): its terms readable then, or that it gave no access any
    more. The push run compares the entitlements readable now with it in one
    set-based query; each difference is written here (its version counts the
    announcements) with the deliveries that announce it, in one transaction,
    so that a rerun finds nothing new."""

    _name = "publication.entitlement.snapshot"
    _description = "Announced Entitlement"
    _order = "write_date desc, id desc"

    reader_id = fields.Many2one(
        "res.partner", required=True, readonly=True, ondelete="cascade"
    )
    subscription_id = fields.Many2one(
        "publication.subscription", required=True, readonly=True, ondelete="cascade"
    )
    publication_id = fields.Many2one(
        "publication.publication", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    has_access = fields.Boolean(readonly=True)
    edition = fields.Selection(EDITIONS, readonly=True)
    date_from = fields.Date(string="From", readonly=True)
    date_until = fields.Date(string="Until", readonly=True)
    reason = fields.Selection(REASONS, readonly=True)
    event = fields.Selection(EVENTS, string="Last Event", readonly=True)
    version = fields.Integer(readonly=True, help="Announcements of this entitlement.")

    _entitlement_uniq = models.Constraint(
        "UNIQUE(reader_id, subscription_id)",
        "An entitlement is announced once at a time.",
    )

    @api.model
    def _diff_and_record(self, limit):
        """Record at most limit differences between the entitlements readable
        now and what was announced, and one pending delivery of each to every
        active webhook of its company and publication. Returns (changes,
        deliveries): how many differences, and the new deliveries' ids by
        webhook id. One statement: what it records and the deliveries it
        creates are committed together or not at all."""
        self.env.flush_all()
        Entitlement = self.env["publication.entitlement"]
        rows = self.env.execute_query(
            SQL(
                """
            WITH current AS (
                SELECT reader_id, subscription_id, publication_id, company_id,
                       access_edition AS edition, date_from, date_until, reason
                  FROM %(entitlement)s
                 WHERE grants_access
            ), changes AS (
                SELECT COALESCE(c.reader_id, a.reader_id) AS reader_id,
                       COALESCE(c.subscription_id, a.subscription_id)
                       AS subscription_id,
                       COALESCE(c.publication_id, a.publication_id) AS publication_id,
                       COALESCE(c.company_id, a.company_id) AS company_id,
                       c.reader_id IS NOT NULL AS has_access,
                       COALESCE(c.edition, a.edition) AS edition,
                       COALESCE(c.date_from, a.date_from) AS date_from,
                       COALESCE(c.date_until, a.date_until) AS date_until,
                       COALESCE(c.reason, a.reason) AS reason,
                       CASE WHEN c.reader_id IS NULL THEN 'revoked'
                            WHEN a.reader_id IS NULL THEN 'granted'
                            ELSE 'changed' END AS event
                  FROM current c
                  FULL JOIN (SELECT * FROM %(snapshot)s WHERE has_access) a
                    ON a.reader_id = c.reader_id
                   AND a.subscription_id = c.subscription_id
                 WHERE c.reader_id IS NULL OR a.reader_id IS NULL
                    OR (c.edition, c.date_from, c.date_until, c.reason)
                       IS DISTINCT FROM (a.edition, a.date_from, a.date_until, a.reason)
                 LIMIT %(limit)s
            ), recorded AS (
                INSERT INTO %(snapshot)s AS s (
                       reader_id, subscription_id, publication_id, company_id,
                       has_access, edition, date_from, date_until, reason, event,
                       version, create_uid, create_date, write_uid, write_date)
                SELECT reader_id, subscription_id, publication_id, company_id,
                       has_access, edition, date_from, date_until, reason, event,
                       1, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM changes
                    ON CONFLICT (reader_id, subscription_id) DO UPDATE
                   SET publication_id = EXCLUDED.publication_id,
                       company_id = EXCLUDED.company_id,
                       has_access = EXCLUDED.has_access,
                       edition = EXCLUDED.edition,
                       date_from = EXCLUDED.date_from,
                       date_until = EXCLUDED.date_until,
                       reason = EXCLUDED.reason,
                       event = EXCLUDED.event,
                       version = s.version + 1,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                RETURNING s.*
            ), events AS (
                SELECT r.*,
                       r.subscription_id || '-' || r.reader_id || '-' || r.version
                       AS event_id
                  FROM recorded r
            ), delivered AS (
                INSERT INTO %(delivery)s (
                       webhook_id, company_id, event_id, event, reader_id,
                       subscription_id, publication_id, payload, state,
                       attempt_count, date_next_attempt,
                       create_uid, create_date, write_uid, write_date)
                SELECT w.id, e.company_id, e.event_id, e.event, e.reader_id,
                       e.subscription_id, e.publication_id, %(payload)s, 'pending',
                       0, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM events e
                  JOIN %(webhook)s w ON w.active AND w.company_id = e.company_id
                  JOIN publication_publication pub ON pub.id = e.publication_id
                  JOIN res_partner reader ON reader.id = e.reader_id
                 WHERE NOT EXISTS (SELECT 1 FROM %(filter)s f WHERE f.webhook_id = w.id)
                    OR EXISTS (SELECT 1 FROM %(filter)s f
                                WHERE f.webhook_id = w.id
                                  AND f.publication_id = e.publication_id)
                    ON CONFLICT (webhook_id, event_id) DO NOTHING
                RETURNING id, webhook_id
            )
            SELECT (SELECT COUNT(*) FROM recorded), webhook_id, id FROM delivered
            UNION ALL
            SELECT (SELECT COUNT(*) FROM recorded), NULL, NULL
            """,
                entitlement=SQL.identifier(Entitlement._table),
                snapshot=SQL.identifier(self._table),
                delivery=SQL.identifier("publication_webhook_delivery"),
                webhook=SQL.identifier("publication_webhook"),
                filter=SQL.identifier("publication_webhook_publication_rel"),
                payload=self._payload_sql(),
                limit=limit,
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        self.env.invalidate_all()
        deliveries = {}
        for _count, webhook_id, delivery_id in rows:
            if delivery_id:
                deliveries.setdefault(webhook_id, []).append(delivery_id)
        return rows[0][0], deliveries

    @api.model
    def _payload_sql(self):
        """The body announcing event e of reader (aliases of _diff_and_record):
        the event's id and type, the reader by the look-up's keys (customer
        number, e-mail, portal login) and the entitlement in the look-up's
        terms, with whether it gives access now. Nothing else of the reader."""
        return SQL(
            """
            jsonb_build_object(
                'id', e.event_id,
                'type', 'entitlement.' || e.event,
                'created', to_char(%(now)s::timestamp, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                'reader', jsonb_build_object(
                    'customer', reader.commercial_partner_id,
                    'email', reader.email_normalized,
                    'login', (SELECT u.login FROM res_users u
                               WHERE u.partner_id = reader.id AND u.active
                               ORDER BY u.id LIMIT 1)),
                'access', e.has_access,
                'entitlement', jsonb_build_object(
                    'publication', jsonb_build_object(
                        'code', pub.code, 'name', pub.name->>'en_US'),
                    'edition', e.edition,
                    'from', e.date_from,
                    'until', e.date_until,
                    'reason', e.reason)
            )::text
            """,
            now=fields.Datetime.now(),
        )
