"""Materialized views of the analytics: stored rows, refreshed nightly."""

from odoo.tools import SQL

# A subscription s (joined to its publication pub) is renewed by a later
# subscription of its reader to the publication started within the publication's
# expiry grace after it stopped (the rule of publication.subscription.month).
RESUBSCRIBED_SQL = SQL(
    """EXISTS (
        SELECT 1 FROM publication_subscription o
         WHERE o.recipient_id = s.recipient_id
           AND o.publication_id = s.publication_id
           AND o.state != 'draft'
           AND o.date_start > s.date_start
           AND o.date_start <= LEAST(s.date_end, COALESCE(s.date_cancel, s.date_end))
                               + 1 + COALESCE(pub.expiry_grace_days, 0)
    )"""
)


def create_materialized_view(cr, table, query, indexes=()):
    """(Re)create the materialized view table as query, with indexes (lists
    of column names). An older plain view of that name is dropped too."""
    cr.execute("SELECT relkind FROM pg_class WHERE relname = %s", [table])
    row = cr.fetchone()
    if row:
        kind = "MATERIALIZED VIEW" if row[0] == "m" else "VIEW"
        cr.execute(SQL(f"DROP {kind} %s CASCADE", SQL.identifier(table)))
    cr.execute(SQL("CREATE MATERIALIZED VIEW %s AS (%s)", SQL.identifier(table), query))
    for columns in indexes:
        cr.execute(
            SQL(
                "CREATE INDEX ON %s (%s)",
                SQL.identifier(table),
                SQL(", ").join(SQL.identifier(column) for column in columns),
            )
        )


def refresh_materialized_view(model):
    """Recompute the stored rows of model's materialized view."""
    model.env.flush_all()
    model.env.cr.execute(
        SQL("REFRESH MATERIALIZED VIEW %s", SQL.identifier(model._table))
    )
    model.invalidate_model()
