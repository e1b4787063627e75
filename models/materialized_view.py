"""Materialized views of the analytics: stored rows, refreshed nightly."""

from odoo.tools import SQL


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
