"""Materialized views of the analytics: stored rows, refreshed nightly."""

from odoo.tools import SQL, create_index, drop_view_if_exists, make_index_name

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
    """(Re)create the materialized view table as query (which must give each
    row a unique id), with the unique index on id that a concurrent refresh
    needs and indexes (lists of column names). A plain view of that name is
    dropped too."""
    drop_view_if_exists(cr, table)
    cr.execute(SQL("CREATE MATERIALIZED VIEW %s AS (%s)", SQL.identifier(table), query))
    for columns, unique in [(["id"], True), *((columns, False) for columns in indexes)]:
        create_index(
            cr,
            make_index_name(table, "_".join(columns)),
            table,
            [SQL.identifier(column).code for column in columns],
            unique=unique,
        )


def refresh_materialized_view(model):
    """Recompute the stored rows of model's materialized view. Concurrently:
    report readers go on reading the old rows meanwhile. A view that holds no
    data (created WITH NO DATA) cannot be refreshed concurrently: it is
    refreshed plainly."""
    model.env.flush_all()
    cr = model.env.cr
    cr.execute(
        SQL(
            """SELECT relispopulated FROM pg_class
                WHERE relname = %s AND relkind = 'm'
                  AND relnamespace = current_schema::regnamespace""",
            model._table,
        )
    )
    populated = cr.fetchone()[0]
    cr.execute(
        SQL(
            "REFRESH MATERIALIZED VIEW %s%s",
            SQL("CONCURRENTLY ") if populated else SQL(),
            SQL.identifier(model._table),
        )
    )
    model.invalidate_model()


def ratio_of_sums(model, aggregate_spec, query, ratios):
    """SQL of a rate (in %) over a group: 100 × the sum of its numerator over
    the sum of its denominator (ratios: field -> (numerator, denominator), the
    model's own aggregation of each), whatever aggregate is asked: never an
    average of rates. None for another measure."""
    ratio = ratios.get(aggregate_spec.partition(":")[0])
    if not ratio:
        return None
    numerator, denominator = (
        model._read_group_select(f"{name}:sum", query) for name in ratio
    )
    return SQL("(100.0 * %s / NULLIF(%s, 0))::float", numerator, denominator)
