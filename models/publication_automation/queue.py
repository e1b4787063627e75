import hashlib
import logging

from odoo import api, models
from odoo.fields import Domain

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
    def _enqueue_run(self, model, tasks, batch_size=None, group_by=()):
        """The batches of _run's tasks as queue jobs, instead of running them
        here: the action is then complete."""
        batch_size = batch_size or publication_automation.BATCH_SIZE
        for domain, method, argument in tasks:
            for ids in self._batches(model, domain, batch_size, group_by):
                self._enqueue_batch(model, ids, domain, method, argument, group_by)
        return True

    def _enqueue_batch(
        self, model, ids, domain, method, argument, group_by, attempt=0, eta=None
    ):
        """One queue job for the records ids of model, unless one for the
        same records and task waits already."""
        self.with_delay(
            identity_key=self._batch_identity_key(model, ids, method, argument),
            description=self.env._(
                "%(method)s for %(count)s %(model)s",
                method=method,
                count=len(ids),
                model=model._description,
            ),
            eta=eta,
        )._run_batch(
            model._name,
            list(ids),
            list(Domain(domain)),
            method,
            argument,
            list(group_by),
            attempt,
        )

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
        model = self.env[model_name].with_context(mail_notify_force_send=False)
        domain = Domain(domain)
        group_by = tuple(group_by)
        batch = self._lock(model, ids)
        deferred = self._process(
            batch.filtered_domain(domain), method, argument, group_by
        )
        held = (model.browse(ids) - batch) | deferred
        if held and attempt < MAX_ATTEMPTS:
            self._enqueue_batch(
                model,
                held.ids,
                domain,
                method,
                argument,
                group_by,
                attempt=attempt + 1,
                eta=RETRY_SECONDS * 2**attempt,
            )
        elif held:
            _logger.info(
                "%s: %s records of %s still held, left to the next run",
                method,
                len(held),
                model_name,
            )
        return f"{len(ids) - len(held)} processed, {len(held)} held"
