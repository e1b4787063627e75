from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLetterRunLock(TransactionCase):
    """The open letter run between the transactions that add letters to it
    (queue job workers) and the print, each in its own real transaction: the
    run is committed, and the test deletes or reopens it."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            Run = self._env(cr)["publication.letter.run"]
            run = Run.search([("state", "=", "open")], limit=1)
            self.created = not run
            self.run_id = (run or Run._open_run(Run.env.company)).id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        """Delete the run the test made, or reopen the one it found."""
        with self.registry.cursor() as cr:
            run = self._env(cr)["publication.letter.run"].browse(self.run_id)
            if self.created:
                run.unlink()
            else:
                run.state = "open"

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def test_adders_share_the_run_and_a_print_waits_or_they_retry(self):
        with (
            self.registry.cursor() as adder,
            self.registry.cursor() as other_adder,
            self.registry.cursor() as printer,
        ):
            runs = [
                self._env(cr)["publication.letter.run"].browse(self.run_id)
                for cr in (adder, other_adder, printer)
            ]
            runs[0]._hold_open()
            runs[1]._hold_open()  # adders do not wait for each other
            automation = self._env(printer)["publication.automation"]
            self.assertFalse(
                automation._lock(runs[2], [self.run_id]),
                "the print skips a run that letters are being added to",
            )
            adder.rollback()
            other_adder.rollback()
            locked = automation._lock(runs[2], [self.run_id])
            self.assertEqual(locked.ids, [self.run_id])
            late = self.registry.cursor()
            try:
                late_run = self._env(late)["publication.letter.run"].browse(self.run_id)
                self.assertEqual(late_run.state, "open", "its snapshot: open")
                locked.write({"state": "printing"})
                printer.commit()
                with self.assertRaises(SerializationFailure):
                    late_run._hold_open()
            finally:
                late.rollback()
                late.close()
