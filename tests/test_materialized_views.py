from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL
from odoo.tools.sql import TableKind, table_kind

from odoo.addons.publication_crm.hooks import uninstall_hook
from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)


@tagged("post_install", "-at_install")
class TestMaterializedViews(TransactionCase):
    """The analytics' materialized views: refreshed concurrently (report
    readers do not wait for the nightly refresh), dropped on uninstall."""

    def _tables(self):
        views = publication_automation.ANALYTICS_VIEWS
        return [self.env[model]._table for model in views]

    def _is_populated(self, table):
        self.env.cr.execute(
            SQL("SELECT relispopulated FROM pg_class WHERE relname = %s", table)
        )
        return self.env.cr.fetchone()[0]

    def test_each_has_the_unique_index_a_concurrent_refresh_needs(self):
        for table in self._tables():
            self.assertEqual(table_kind(self.env.cr, table), TableKind.Materialized)
            self.env.cr.execute(
                SQL(
                    """SELECT array_agg(a.attname::text ORDER BY a.attname)
                         FROM pg_index i
                         JOIN pg_class c ON c.oid = i.indrelid
                         JOIN pg_attribute a
                           ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
                        WHERE c.relname = %s AND i.indisunique
                          AND i.indpred IS NULL AND i.indexprs IS NULL
                        GROUP BY i.indexrelid""",
                    table,
                )
            )
            self.assertIn(["id"], [row[0] for row in self.env.cr.fetchall()], table)

    def test_readers_go_on_reading_during_the_refresh(self):
        """The nightly refresh holds its locks until its transaction ends (here
        the test's): another transaction still reads every view at once."""
        for model in publication_automation.ANALYTICS_VIEWS:
            self.env[model]._refresh()
        with self.registry.cursor() as reader:
            reader.execute("SET LOCAL lock_timeout = '2s'")
            for table in self._tables():
                reader.execute(
                    SQL("SELECT COUNT(*) FROM %s", SQL.identifier(table)),
                    log_exceptions=False,
                )

    def test_a_view_without_data_is_refreshed(self):
        """A view created or emptied WITH NO DATA cannot be refreshed
        concurrently: it is refreshed plainly, and can be read again."""
        for table in self._tables():
            self.env.cr.execute(
                SQL(
                    "REFRESH MATERIALIZED VIEW %s WITH NO DATA",
                    SQL.identifier(table),
                )
            )
            self.assertFalse(self._is_populated(table))
        for model in publication_automation.ANALYTICS_VIEWS:
            self.env[model]._refresh()
            self.assertTrue(self._is_populated(self.env[model]._table))
            self.env[model].search_count([])

    def test_the_uninstall_hook_drops_them(self):
        uninstall_hook(self.env)
        for table in self._tables():
            self.assertIsNone(table_kind(self.env.cr, table), table)
