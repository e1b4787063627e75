import hashlib
import logging

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import split_every

from odoo.addons.queue_job.delay import chain, group

from . import publication_automation

_logger = logging.getLogger(__name__)

# records a concurrent transaction held: a new job for them after 10 s, 20 s,
# 40 s, 80 s; then the next run of the scheduled action finds them still due
RETRY_SECONDS = 10
MAX_ATTEMPTS = 4
# System parameter: "queue_job" where a queue_job runner serves the database
# (the scheduled actions enqueue their batches), else they run in-process
JOB_RUNNER_PARAM = "publication_crm.job_runner"


class PublicationAutomation(models.AbstractModel):
    """The scheduled actions on OCA queue_job workers.

    When the system parameter publication_crm.job_runner is "queue_job",
    each batch that the in-process run would process becomes one queue job,
    identified by its records and task: a rerun or a second run never
    enqueues a batch that is still waiting. The job runs the in-process
    batch code: the lock, the check against the due domain, the savepoints
    and the error recording.
    """

    _inherit = "publication.automation"

    @api.model
    def _job_runner_configured(self):
        """Whether the batches go to queue jobs: the system parameter
        publication_crm.job_runner is "queue_job" (by default they run
        in-process). queue_job's own context key queue_job__no_delay runs
        them in-process too."""
        if self.env.context.get("queue_job__no_delay"):
            return False
        runner = self.env["ir.config_parameter"].sudo().get_param(JOB_RUNNER_PARAM)
        return runner == "queue_job"

    @api.model
    def _enqueue_run(self, model, tasks, batch_size=None, group_by=(), job_size=None):
        """The batches of _run's tasks as queue jobs, instead of running them
        here: the action is then complete. With job_size, a job takes batches
        up to that many records and commits after each batch. The jobs of a
        task wait until those of the task before are done, as the in-process
        run goes task after task: two tasks may hold the same records (the
        reminder steps, the suspension), and a job finding its records held
        would wait for its retry."""
        batch_size = batch_size or publication_automation.BATCH_SIZE
        every = batch_size if job_size else None
        task_jobs = []
        for domain, method, argument in tasks:
            jobs = self._batches(model, domain, batch_size, group_by)
            if job_size:
                jobs = [
                    [record_id for batch in batches for record_id in batch]
                    for batches in split_every(max(job_size // batch_size, 1), jobs)
                ]
            task = (domain, method, argument, group_by)
            if jobs:
                task_jobs.append(
                    [
                        self._batch_job(model, ids, *task, commit_every=every)
                        for ids in jobs
                    ]
                )
        if len(task_jobs) == 1:
            # stored in the order of their records (a group stores any order)
            for job in task_jobs[0]:
                job.delay()
        elif task_jobs:
            chain(*(group(*jobs) for jobs in task_jobs)).delay()
        return True

    def _batch_job(
        self,
        model,
        ids,
        domain,
        method,
        argument,
        group_by,
        attempt=0,
        eta=None,
        commit_every=None,
    ):
        """The queue job of the records ids of model, to delay: none is
        created when one for the same records and task waits already."""
        delayable = self.delayable(
            identity_key=self._batch_identity_key(model, ids, method, argument),
            description=self.env._(
                "%(method)s for %(count)s %(model)s",
                method=method,
                count=len(ids),
                model=model._description,
            ),
            eta=eta,
        )
        args = (model._name, list(ids), list(Domain(domain)), method, argument)
        if commit_every:
            return delayable._run_batch_committing(*args, list(group_by), commit_every)
        return delayable._run_batch(*args, list(group_by), attempt)

    @api.model
    def _batch_identity_key(self, model, ids, method, argument):
        key = repr(
            (
                self.env.company.id,
                model._name,
                sorted(ids),
                method,
                argument and (argument._name, argument.ids),
            )
        )
        return "publication.automation:" + hashlib.sha1(key.encode()).hexdigest()

    @api.model
    def _run_batch(
        self, model_name, ids, domain, method, argument=None, group_by=(), attempt=0
    ):
        """The queue job of one batch: lock, check, process as the in-process
        run does. What a concurrent transaction held goes to a new job, a
        little later each time."""
        held = self._run_records(
            model_name, ids, domain, method, argument, group_by, attempt
        )
        return f"{len(ids) - held} processed, {held} held"

    @api.model
    def _run_batch_committing(
        self, model_name, ids, domain, method, argument, group_by, commit_every
    ):
        """The queue job of several batches of commit_every records (no
        group_by), each run as _run_batch runs one and committed (its job
        function allows commits: the job has its own cursor)."""
        held = 0
        for part in split_every(commit_every, ids, list):
            held += self._run_records(
                model_name, part, domain, method, argument, group_by, 0
            )
            self.env["ir.cron"]._commit_progress(len(part))
        return f"{len(ids) - held} processed, {held} held"

    def _run_records(
        self, model_name, ids, domain, method, argument, group_by, attempt
    ):
        """Lock, check and process the records ids; returns how many a
        concurrent transaction held (enqueued again)."""
        model = self.env[model_name].with_context(mail_notify_force_send=False)
        domain = Domain(domain)
        group_by = tuple(group_by)
        batch = self._lock(model, ids)
        deferred = self._process(
            batch.filtered_domain(domain), method, argument, group_by
        )
        held = (model.browse(ids) - batch) | deferred
        if held and attempt < MAX_ATTEMPTS:
            self._batch_job(
                model,
                held.ids,
                domain,
                method,
                argument,
                group_by,
                attempt=attempt + 1,
                eta=RETRY_SECONDS * 2**attempt,
            ).delay()
        elif held:
            _logger.info(
                "%s: %s records of %s still held, left to the next run",
                method,
                len(held),
                model_name,
            )
        return len(held)
