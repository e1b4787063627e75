import functools
import logging

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, split_every

from ..publication_subscription.publication_subscription import OPEN_STATES

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200
RISK_BATCH_SIZE = 5000  # one UPDATE per batch
ANALYTICS_VIEWS = (
    "publication.subscription.month",
    "publication.analytics.month",  # sums of the monthly facts: after them
    "publication.cohort.report",
    "publication.cohort.total",  # sums of the cohort rows: after them
    "publication.customer.profitability",
    "publication.renewal.report",
)
# a concurrent transaction got there first: try again later, it is no failure
CONCURRENT_UPDATE = (SerializationFailure, LockNotAvailable)


def per_company(cron):
    """Run a scheduled action once per company of the active publications, in
    that company and its time zone: "today" is the company's date there, not
    the server's (UTC) date of the technical user. Returns False as soon as
    one company's run is incomplete (the next call goes on), but a company
    whose records a concurrent run holds does not keep the next ones waiting:
    only the end of the run's time stops the round."""

    @functools.wraps(cron)
    def run(self):
        publications = self.env["publication.publication"].search(
            [("active", "=", True)]
        )
        complete = True
        companies = publications.company_id.sorted("id")
        for company in companies:
            in_company = self.with_company(company).with_context(
                tz=company._publication_tz()
            )
            complete &= bool(cron(in_company))
            last = company == companies[-1]
            if not last and not self.env["ir.cron"]._commit_progress():
                return False
        return complete

    return run


class PublicationAutomation(models.AbstractModel):
    """The scheduled actions of the renewal automation.

    Each action finds what is due, then works in batches: a batch is locked
    against a concurrent run (FOR UPDATE SKIP LOCKED), checked again against
    the due domain, processed in a savepoint (record by record when the batch
    fails, so one bad record never stops the others) and committed with
    ``ir.cron._commit_progress``. What a run leaves undone when its time is up
    is still due for the next call, and nothing done is due again.
    """

    _name = "publication.automation"
    _description = "Renewal Automation"

    # ------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------
    @api.model
    @per_company
    def _cron_renewal_reminders(self):
        """Renewal reminders (the most urgent step due), staff follow-ups,
        offers to turn fixed-term subscriptions into continuous ones, at
        the end of a trial the offer of its paid offer, and the notices of
        price changes (the offers whose change has come get the new price)."""
        today = fields.Date.context_today(self)
        Subscription = self.env["publication.subscription"]
        steps = self.env["publication.reminder.step"].search(
            [
                ("kind", "=", "renewal"),
                ("publication_id", "in", self._publications().ids),
            ],
            order="days, id",
        )
        tasks = [
            (
                Subscription._renewal_reminder_domain(step, today),
                "_send_renewal_reminder",
                step,
            )
            for step in steps
        ]
        publications = self._publications()
        tasks.append(
            (
                Subscription._continuous_offer_domain(publications, today),
                "_send_continuous_offer",
                None,
            )
        )
        tasks.append(
            (
                Subscription._trial_offer_domain(publications, today),
                "_send_trial_offer",
                None,
            )
        )
        PriceChange = self.env["publication.price.change"]
        PriceChange._apply_due(publications, today)
        notices = [
            (
                Subscription._price_notice_domain(change, today),
                "_send_price_notice",
                change,
            )
            for change in PriceChange._to_announce(publications)
        ]
        self.env["publication.letter"]._prepare_open_run(
            Subscription, [domain for domain, _method, _change in notices], "payer_id"
        )
        tasks += notices
        return self._run(Subscription, tasks)

    @api.model
    @per_company
    def _cron_renew(self):
        """Next period and its invoice for continuous subscriptions due."""
        today = fields.Date.context_today(self)
        Subscription = self.env["publication.subscription"]
        domain = Subscription._auto_renewal_domain(self._publications(), today)
        return self._run(Subscription, [(domain, "_renew", None)])

    @api.model
    @per_company
    def _cron_expire(self):
        today = fields.Date.context_today(self)
        Subscription = self.env["publication.subscription"]
        domain = Subscription._expiry_domain(self._publications(), today)
        return self._run(Subscription, [(domain, "_expire", None)])

    @api.model
    @per_company
    def _cron_winback(self):
        today = fields.Date.context_today(self)
        Subscription = self.env["publication.subscription"]
        publications = self._publications().filtered("winback_template_id")
        domain = Subscription._winback_domain(publications, today)
        return self._run(Subscription, [(domain, "_send_winback_offer", None)])

    @api.model
    @per_company
    def _cron_dunning(self):
        """Payment reminders (the furthest step due), then suspension of
        delivery for invoices unpaid too long."""
        today = fields.Date.context_today(self)
        Period = self.env["publication.subscription.period"]
        steps = self.env["publication.reminder.step"].search(
            [
                ("kind", "=", "dunning"),
                ("publication_id", "in", self._publications().ids),
            ],
            order="days desc, id",
        )
        tasks = [
            (Period._dunning_domain(step, today), "_send_payment_reminder", step)
            for step in steps
        ]
        self.env["publication.letter"]._prepare_open_run(
            Period,
            [domain for domain, _method, _step in tasks],
            "invoice_id.partner_id",
        )
        publications = self._publications().filtered(
            lambda p: p.suspend_after_days or p.payment_grace_days
        )
        tasks.append(
            (Period._suspension_domain(publications, today), "_suspend_unpaid", None)
        )
        # the periods of one invoice (a sponsored batch) in one batch: one
        # letter per invoice, never two jobs queueing it at once
        return self._run(Period, tasks, group_by=("invoice_id",))

    @api.model
    @per_company
    def _cron_apply_address_changes(self):
        """Planned changes of delivery address whose date has come."""
        Subscription = self.env["publication.subscription"]
        today = fields.Date.context_today(self)
        domain = Subscription._planned_address_change_domain(today) & Domain(
            "company_id", "=", self.env.company.id
        )
        return self._run(
            Subscription, [(domain, "_apply_planned_address_change", None)]
        )

    @api.model
    @per_company
    def _cron_apply_planned_changes(self):
        """Planned cancellations and changes of copies whose day has come."""
        Subscription = self.env["publication.subscription"]
        today = fields.Date.context_today(self)
        in_company = Domain("company_id", "=", self.env.company.id)
        return self._run(
            Subscription,
            [
                (
                    Subscription._planned_cancel_domain(today) & in_company,
                    "_apply_planned_cancel",
                    None,
                ),
                (
                    Subscription._planned_copies_domain(today) & in_company,
                    "_apply_planned_copies",
                    None,
                ),
            ],
        )

    @api.model
    def _cron_refresh_analytics(self):
        """Nightly facts: the customers' ABC classes, the analytics views (one
        statement each), then the churn-risk scores of the open subscriptions
        of each company in batches."""
        self.env["res.partner"]._refresh_abc_classes()
        for model in ANALYTICS_VIEWS:
            self.env[model]._refresh()
        self.env["publication.subscription"]._clear_closed_churn_risk()
        return self._cron_churn_risk()

    @api.model
    @per_company
    def _cron_churn_risk(self):
        Subscription = self.env["publication.subscription"]
        domain = [
            ("state", "in", OPEN_STATES),
            ("company_id", "=", self.env.company.id),
        ]
        return self._run(
            Subscription,
            [(domain, "_refresh_churn_risk", None)],
            batch_size=RISK_BATCH_SIZE,
        )

    @api.model
    @per_company
    def _cron_confirmations(self):
        """Confirmation mails (with the invoice) of the subscriptions just
        confirmed, for the mail queue."""
        Subscription = self.env["publication.subscription"]
        domain = Domain("confirmation_pending", "=", True) & Domain(
            "publication_id", "in", self._publications().ids
        )
        return self._run(Subscription, [(domain, "_send_confirmation", None)])

    def _publications(self):
        """The active publications of the company the action runs for."""
        return self.env["publication.publication"].search(
            [("active", "=", True), ("company_id", "=", self.env.company.id)]
        )

    # ------------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------------
    @api.model
    def _run(self, model, tasks, batch_size=None, group_by=(), job_size=None):
        """Run each (domain, method, argument) task on the records of model
        matching domain, in batches of batch_size (default BATCH_SIZE). Records
        with the same values of the group_by fields stay in one batch and are
        retried together (for example the bookings of one invoice). Returns
        False when time ran out or a concurrent run held some records: what is
        left is done by the next call. The records of model show their failures through
        ``_automation_error_records()`` (see publication.automation.mixin).
        With a job runner, the batches become queue jobs instead (_enqueue_run)
        and the action is then complete; with job_size, a job takes several
        batches (up to job_size records) and commits after each."""
        if self._job_runner_configured():
            return self._enqueue_run(model, tasks, batch_size, group_by, job_size)
        Cron = self.env["ir.cron"]
        batch_size = batch_size or BATCH_SIZE
        # activities and notes notify by e-mail: through the queue, after commit
        model = model.with_context(mail_notify_force_send=False)
        due = [
            (domain, self._batches(model, domain, batch_size, group_by), method, arg)
            for domain, method, arg in tasks
        ]
        Cron._commit_progress(
            remaining=sum(len(ids) for _d, batches, _m, _a in due for ids in batches)
        )
        complete = True
        for domain, batches, method, argument in due:
            for batch_ids in batches:
                batch = self._lock(model, batch_ids)
                deferred = self._process(
                    batch.filtered_domain(domain), method, argument, group_by
                )
                processed = len(batch) - len(deferred)
                complete &= processed == len(batch_ids)
                # what was not processed stays remaining: the scheduler calls again
                if not Cron._commit_progress(processed):
                    return False
                # a long run must not keep every batch's records in memory
                self.env.invalidate_all()
        return complete

    def _batches(self, model, domain, batch_size, group_by):
        """The ids of the records due, in batches that split no group."""
        if not group_by:
            return list(split_every(batch_size, model.search(domain, order="id").ids))
        records = model.search_fetch(domain, list(group_by), order="id")
        batches, batch = [], []
        for group in records.grouped(self._group_key(group_by)).values():
            if batch and len(batch) + len(group) > batch_size:
                batches.append(batch)
                batch = []
            batch += group.ids
        return batches + [batch] if batch else batches

    @staticmethod
    def _group_key(group_by):
        return lambda record: tuple(record[name] for name in group_by)

    @api.model
    def _lock(self, model, ids, wait=False):
        """The records of ids of model locked until the transaction ends, read
        afresh. Those a concurrent transaction holds or changed since this one
        began are left out (a run leaves them for later); with wait, a held
        row is waited for, and a changed one raises SerializationFailure for
        the caller to retry (Odoo's HTTP layer retries the request). Either is
        expected, so it is not logged as an error."""
        query = SQL(
            "SELECT id FROM %s WHERE id = ANY(%s) FOR UPDATE%s",
            SQL.identifier(model._table),
            list(ids),
            SQL() if wait else SQL(" SKIP LOCKED"),
        )
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(query, log_exceptions=False)
                locked = model.browse([row[0] for row in self.env.cr.fetchall()])
        except CONCURRENT_UPDATE:
            if wait:
                raise
            return model.browse()
        model.invalidate_model()
        return locked

    def _process(self, records, method, argument, group_by=()):
        """Call method on records in a savepoint; when that fails, on each
        record (each group of group_by) in its own savepoint, recording the
        error of those that fail. Returns the records a concurrent transaction
        made wait for later."""
        if not records:
            return records
        args = () if argument is None else (argument,)
        try:
            with self.env.cr.savepoint():
                getattr(records, method)(*args)
        except CONCURRENT_UPDATE:
            return records
        except Exception:  # noqa: BLE001 - retried record by record below
            _logger.info(
                "%s failed for a batch of %s; retrying one by one",
                method,
                records._name,
            )
        else:
            records._automation_error_records()._clear_automation_error()
            return records.browse()
        units = (
            records.grouped(self._group_key(group_by)).values()
            if group_by
            else list(records)
        )
        deferred = records.browse()
        for unit in units:
            try:
                with self.env.cr.savepoint():
                    getattr(unit, method)(*args)
            except CONCURRENT_UPDATE:
                deferred |= unit
            except Exception as error:  # noqa: BLE001 - recorded on the record
                _logger.warning(
                    "%s failed for %s: %s",
                    method,
                    ", ".join(unit.mapped("display_name")),
                    error,
                )
                for record in unit:
                    record._automation_error_records()._record_automation_error(
                        method, error
                    )
            else:
                unit._automation_error_records()._clear_automation_error()
        return deferred

    @api.model
    def _cutoff_domain(self, publications, date_field, cutoff):
        """Records of publications whose date_field is on or before
        cutoff(publication): each publication has its own number of days."""
        return Domain.OR(
            [
                Domain("publication_id", "=", publication.id)
                & Domain(date_field, "<=", cutoff(publication))
                for publication in publications
            ]
        )
