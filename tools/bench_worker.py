"""A queue job worker of the benchmark (tools/bench with WORKERS=n).

Run by tools/bench with `odoo shell` (which provides `env`), n of them beside
bench_renewals.py. Does what OCA queue_job's runner and its /queue_job/runjob
controller do for each job, without the HTTP hop: takes the oldest pending job
that is due (SKIP LOCKED: no two workers take the same), marks it enqueued,
then acquires and runs it with queue_job's RunJobController, which commits.
Stops when the file BENCH_STOP exists.
"""

import os
import time

from psycopg2.errors import SerializationFailure

from odoo.addons.queue_job.controllers.main import RunJobController

env = env  # noqa: F821, PLW0127 - given by odoo shell
STOP = os.environ["BENCH_STOP"]


def next_job():
    """The uuid of the job taken, or None when none is due. A job that the
    other worker took since this transaction began fails to serialize: then
    again, in a new transaction."""
    while True:
        try:
            return take_job()
        except SerializationFailure:
            env.cr.rollback()


def take_job():
    env.cr.execute(
        """UPDATE queue_job SET state = 'enqueued', date_enqueued = now()
            WHERE id = (
                SELECT id FROM queue_job
                 WHERE state = 'pending'
                   AND (eta IS NULL OR eta <= now() AT TIME ZONE 'UTC')
                 ORDER BY priority, date_created, id
                 LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING uuid""",
        log_exceptions=False,
    )
    row = env.cr.fetchone()
    env.cr.commit()
    return row and row[0]


while not os.path.exists(STOP):
    uuid = next_job()
    if not uuid:
        time.sleep(0.2)
        continue
    job = RunJobController._acquire_job(env, uuid)
    if job:
        RunJobController._runjob(env, job)
    env.invalidate_all()
