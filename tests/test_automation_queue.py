from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)
from odoo.addons.publication_crm.models.publication_automation import (
    queue as publication_automation_queue,
)
from odoo.addons.publication_crm.models.publication_automation.queue import (
    JOB_RUNNER_PARAM,
)
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import MAX_CRON_CALLS, AutomationCommon, CronCrash


@tagged("post_install", "-at_install")
class TestAutomationQueue(AutomationCommon):
    """The scheduled actions with the job runner: one queue job per batch.
    The jobs are trapped by queue_job's trap_jobs and run as its controller
    does; the life of stored jobs (a rerun while they wait, a job killed
    midway, the tasks' arguments stored and read back) through queue_job's own
    controller code (RunJobController._runjob)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.readers = cls.env["res.partner"].create(
            [
                {"name": f"Reader {n}", "email": f"reader{n}@example.com"}
                for n in range(5)
            ]
        )

    def setUp(self):
        super().setUp()
        self._use_job_runner()
        self.patch(publication_automation, "BATCH_SIZE", 2)
        with freeze_time("2026-01-01"):
            self.subscriptions = self._active_continuous(self.readers)

    def _waiting_jobs(self, states=("pending", "enqueued")):
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", "publication.automation"),
                    ("state", "in", states),
                ],
                order="id",
            )
        )

    def _start(self, record):
        """What the controller commits before it runs the job."""
        job = Job.load(self.env, record.uuid)
        job.set_started()
        job.store()
        return job

    def _perform(self, jobs):
        """Run stored jobs as the job runner's controller does, in this
        transaction."""
        for record in jobs:
            RunJobController._runjob(self.env, self._start(record))

    def _perform_all(self):
        """Run the stored jobs, and those they enqueue, until none waits."""
        for _round in range(MAX_CRON_CALLS):
            if not (jobs := self._waiting_jobs()):
                return
            self._perform(jobs)
        self.fail(f"queue jobs still enqueue jobs after {MAX_CRON_CALLS} rounds")

    def _assert_renewed_once(self, subscriptions):
        self.env.invalidate_all()
        for subscription in subscriptions:
            self.assertEqual(
                subscription.period_ids.mapped("date_start"),
                [date(2026, 1, 1), date(2026, 4, 1)],
                "renewed once, no gap",
            )
            self.assertEqual(len(subscription.sudo().period_ids.invoice_id), 2)
        self.assertEqual(
            len(self._events(subscriptions, "renewal")), len(subscriptions)
        )

    def test_one_job_per_batch_and_a_rerun_enqueues_none(self):
        with freeze_time("2026-03-31"):
            self._run("_cron_renew")
            jobs = self._waiting_jobs()
            self.assertEqual(len(jobs), 3, "5 subscriptions in batches of 2")
            self.assertEqual(len(set(jobs.mapped("identity_key"))), 3)
            self.assertEqual(
                set(jobs.mapped("channel")), {"root.publication_automation"}
            )
            self.assertEqual(
                self.subscriptions.mapped("date_end"),
                [date(2026, 3, 31)] * 5,
                "nothing done in the scheduled action itself",
            )
            self._run("_cron_renew")
            self.assertEqual(self._waiting_jobs(), jobs, "the rerun enqueues none")
            self._perform(jobs)
            self.assertEqual(set(jobs.mapped("state")), {"done"})
            self._run("_cron_renew")
            self.assertFalse(self._waiting_jobs(), "nothing due any more")
        self._assert_renewed_once(self.subscriptions)

    def test_a_batch_run_twice_renews_once(self):
        with freeze_time("2026-03-31"), trap_jobs() as trap:
            self._run("_cron_renew")
            jobs = self._perform_trapped(trap)
            self._perform_trapped(trap, jobs)  # again, as after a lost "done"
        self._assert_renewed_once(self.subscriptions)

    def test_a_failing_record_does_not_block_its_batch(self):
        plan_without_product = self.plan_quarterly.copy({"name": "No product"})
        with freeze_time("2026-01-01"):
            bad = self._active_continuous(self.alice, plan=plan_without_product)
        self.plan_quarterly.product_id = self.product
        self.monthly.product_id = False
        with freeze_time("2026-03-31"), trap_jobs() as trap:
            self._run("_cron_renew")
            self.assertEqual(trap.jobs_count(), 3, "6 subscriptions in batches of 2")
            with self.assertLogs(publication_automation.__name__, "WARNING"):
                jobs = self._perform_trapped(trap)
        self.assertEqual({job.state for job in jobs}, {"done"})
        self._assert_renewed_once(self.subscriptions)
        self.assertEqual(bad.date_end, date(2026, 3, 31), "not renewed")
        self.assertIn("Set a Subscription Product", bad.automation_error)
        self.assertEqual(len(bad.activity_ids), 1)

    def test_a_crash_mid_job_leaves_no_duplicate_and_no_gap(self):
        with freeze_time("2026-03-31"):
            self._run("_cron_renew")
            first, second, third = self._waiting_jobs()
            with self._crash_in_invoicing(2):
                self._perform(first)
                started = self._start(second)
                with self.assertRaises(CronCrash):
                    RunJobController._runjob(self.env, started)
            self.env.invalidate_all()
            self.assertEqual(second.state, "started", "for the dead-job requeuer")
            self.assertEqual(
                self.subscriptions.mapped("date_end"),
                [date(2026, 6, 30)] * 2 + [date(2026, 3, 31)] * 3,
                "the second job's work was rolled back",
            )
            second.state = "enqueued"  # what queue_job's requeuer does
            self._perform(second | third)
        self._assert_renewed_once(self.subscriptions)

    def test_records_held_by_a_concurrent_run_get_a_later_job(self):
        Automation = type(self.env["publication.automation"])
        original = Automation._lock
        held = self.subscriptions[:1]

        def lock_all_but_held(automation, model, ids):
            return original(automation, model, ids) - held

        with freeze_time("2026-03-31 02:00:00"), trap_jobs() as trap:
            self._run("_cron_renew")
            jobs = list(trap.enqueued_jobs)
            with patch.object(Automation, "_lock", lock_all_but_held):
                self._perform_trapped(trap, jobs[:1])
            retry = [job for job in trap.enqueued_jobs if job not in jobs]
            self.assertEqual(len(retry), 1)
            (retry,) = retry
            self.assertEqual(retry.args[0], "publication.subscription")
            self.assertEqual(retry.args[1], held.ids)
            self.assertEqual(
                retry.eta.strftime("%H:%M:%S"),
                f"02:00:{publication_automation_queue.RETRY_SECONDS:02d}",
            )
            self.assertEqual(self.subscriptions[1].date_end, date(2026, 6, 30))
            self.assertEqual(held.date_end, date(2026, 3, 31), "not yet")
            self._perform_all_trapped(trap)
        self._assert_renewed_once(self.subscriptions)

    def test_every_scheduled_action_runs_through_jobs(self):
        """Their tasks (domains with dates, reminder steps) survive the queue;
        the jobs of a task wait for those of the task before."""
        with freeze_time("2026-02-15"):
            self._run()
            jobs = self._waiting_jobs(("pending", "enqueued", "wait_dependencies"))
            suspensions = jobs.filtered(lambda job: job.args[3] == "_suspend_unpaid")
            self.assertTrue(suspensions)
            self.assertEqual(set(suspensions.mapped("state")), {"wait_dependencies"})
            reminders = jobs.filtered(
                lambda job: job.args[3] == "_send_payment_reminder"
            )
            self.assertTrue(suspensions.dependency_ids)
            self.assertLessEqual(suspensions.dependency_ids, reminders)
            self._perform_all()
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertEqual(
            set(self.subscriptions.mapped("state")),
            {"suspended"},
            "unpaid 30 days after the start",
        )
        self.assertEqual(
            len(self._events(self.subscriptions, "suspension")),
            len(self.subscriptions),
        )


@tagged("post_install", "-at_install")
class TestJobRunnerSetting(AutomationCommon):
    """The scheduled actions enqueue queue jobs only when the system parameter
    publication_crm.job_runner says "queue_job", whatever Odoo loads."""

    def setUp(self):
        super().setUp()
        with freeze_time("2026-01-01"):
            self.subscriptions = self._active_continuous(self.alice | self.bob)

    def _renew_in_process(self, automation):
        """automation's renewal renews here and enqueues no job."""
        with (
            freeze_time("2026-03-31"),
            trap_jobs() as trap,
            patch.object(
                self.registry["ir.cron"], "_commit_progress", return_value=3600.0
            ),
        ):
            self.assertTrue(automation._cron_renew())
            trap.assert_jobs_count(0)
        self.assertEqual(self.subscriptions.mapped("date_end"), [date(2026, 6, 30)] * 2)

    def test_in_process_by_default_even_with_queue_job_server_wide(self):
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(JOB_RUNNER_PARAM),
            "in_process",
        )
        with patch.dict(
            config.options, {"server_wide_modules": ["base", "web", "queue_job"]}
        ):
            self._renew_in_process(self.env["publication.automation"])

    def test_queue_job_no_delay_runs_in_process(self):
        self._use_job_runner()
        self._renew_in_process(
            self.env["publication.automation"].with_context(queue_job__no_delay=True)
        )

    def test_the_job_runner_enqueues(self):
        self._use_job_runner()
        with freeze_time("2026-03-31"), trap_jobs() as trap:
            self._run("_cron_renew")
            trap.assert_jobs_count(1)
            self._perform_trapped(trap)
        self.assertEqual(self.subscriptions.mapped("date_end"), [date(2026, 6, 30)] * 2)
