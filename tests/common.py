import subprocess
import tempfile
from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.fields import Domain
from odoo.tests import new_test_user
from odoo.tools import SQL, mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.publication_crm.models.publication_automation.queue import (
    JOB_RUNNER_PARAM,
)
from odoo.addons.publication_crm.utils.materialized_view import RESUBSCRIBED_SQL

# calls of a scheduled action that says it ran out of time, or rounds of queue
# jobs that enqueue jobs, before a test fails
MAX_CRON_CALLS = 50

# Records counted to show that a refused operation wrote nothing.
WRITTEN_MODELS = (
    "publication.subscription",
    "publication.subscription.period",
    "publication.subscription.pause",
    "account.move",
    "publication.ad.contract",
    "publication.ad.booking",
)


def _dimension(dimension):
    granularity = dimension.get("granularity")
    name = dimension["fieldName"]
    return f"{name}:{granularity}" if granularity else name


def demo_payment_provider(env, company):
    """The published demo provider of company (payment_demo), saving cards."""
    Provider = env["payment.provider"].sudo()
    demo = Provider.search([("code", "=", "demo")], limit=1)
    assert demo, "payment_demo is not installed: tools/check installs it"
    provider = Provider.search(
        [("code", "=", "demo"), ("company_id", "=", company.id)], limit=1
    ) or demo.copy({"company_id": company.id})
    provider.write({"state": "test", "is_published": True, "allow_tokenization": True})
    return provider


def pivot_grouping(pivot):
    """The grouping sets, aggregates and order the web client asks for a
    spreadsheet pivot (formatted_read_grouping_sets): every prefix of the row
    groupings with every prefix of the column groupings, once each."""
    rows = [_dimension(row) for row in pivot["rows"]]
    columns = [_dimension(column) for column in pivot["columns"]]
    grouping_sets = []
    for row_count in range(len(rows) + 1):
        for column_count in range(len(columns) + 1):
            grouping = rows[:row_count] + columns[:column_count]
            if sorted(grouping) not in map(sorted, grouping_sets):
                grouping_sets.append(grouping)
    aggregates = [
        "__count"
        if m["fieldName"] == "__count"
        else f"{m['fieldName']}:{m['aggregator']}"
        for m in pivot["measures"]
        if "computedBy" not in m
    ]
    if "__count" not in aggregates:
        aggregates.append("__count")
    order = ",".join(
        f"{_dimension(d)} {d['order']}" if d.get("order") else _dimension(d)
        for d in pivot["columns"] + pivot["rows"]
    )
    return grouping_sets, aggregates, order


def dashboard_domain(snapshot, domain, field_matching, today):
    """domain with the dashboard's global filters at their default values, as
    the web client applies them to a pivot or chart matching them."""
    domains = [Domain(domain)]
    for global_filter in snapshot["globalFilters"]:
        matching = field_matching.get(global_filter["id"])
        default = global_filter.get("defaultValue")
        if not matching or not default:
            continue
        if global_filter["type"] != "date" or default != "last_12_months":
            raise NotImplementedError(f"default filter value {default}")
        offset = matching.get("offset", 0)  # in periods (of 12 months)
        first = today.replace(day=1) + relativedelta(months=12 * (offset - 1))
        last = first + relativedelta(months=12, days=-1)
        chain = matching["chain"]
        domains.append(Domain([(chain, ">=", first), (chain, "<=", last)]))
    return list(Domain.AND(domains))


def dashboard_figures(snapshot, *types):
    """The charts of the dashboard's sheets whose type is one of types."""
    return [
        figure["data"]
        for sheet in snapshot["sheets"]
        for figure in sheet["figures"]
        if figure["tag"] == "chart" and figure["data"]["type"] in types
    ]


ODOO_CHARTS = ("odoo_line", "odoo_bar", "odoo_pie")


def read_dashboard_pivot(env, snapshot, pivot, today):
    """What the web client reads for a pivot of the dashboard."""
    grouping_sets, aggregates, order = pivot_grouping(pivot)
    domain = dashboard_domain(
        snapshot, pivot["domain"], pivot.get("fieldMatching", {}), today
    )
    return env[pivot["model"]].formatted_read_grouping_sets(
        domain, grouping_sets, aggregates, order=order or None
    )


def read_dashboard_chart(env, snapshot, chart, today):
    """What the web client reads for an Odoo chart of the dashboard (its graph
    model's formatted_read_group)."""
    meta = chart["metaData"]
    model = env[meta["resModel"]]
    field = model._fields[meta["measure"]]
    aggregates = ["__count"]
    if field.type == "monetary":
        currency = field.get_currency_field(model)
        aggregates += [f"{currency}:array_agg_distinct", f"{field.name}:sum_currency"]
    aggregates.append(f"{field.name}:{field.aggregator}")
    domain = dashboard_domain(
        snapshot,
        chart["searchParams"]["domain"],
        chart.get("fieldMatching", {}),
        today,
    )
    return model.with_context(fill_temporal=True).formatted_read_group(
        domain, meta["groupBy"], aggregates
    )


def churn_risk_auc(subscriptions, day, horizon_days=365):
    """Back-test of the churn-risk score (for the tests and tools/bench_analytics):
    for these subscriptions (all when empty) delivered on day, the probability
    that one of a reader who churned within horizon_days scores higher than one
    of a reader who stayed (ties count half). Returns (auc, churned, stayed);
    auc is None without both kinds."""
    env = subscriptions.env
    env.flush_all()
    env.cr.execute(
        SQL(
            """
        WITH scored AS (
            SELECT r.score,
                   (s.state IN ('expired', 'cancelled')
                    AND LEAST(s.date_end, COALESCE(s.date_cancel, s.date_end))
                        < %(until)s
                    AND NOT %(resubscribed)s) AS churned
              FROM (%(scores)s) r
              JOIN publication_subscription s ON s.id = r.subscription_id
              JOIN publication_publication pub ON pub.id = s.publication_id
        ),
        ranked AS (
            SELECT churned, RANK() OVER (ORDER BY score) AS low,
                   COUNT(*) OVER (PARTITION BY score) AS ties
              FROM scored
        )
        SELECT COUNT(*) FILTER (WHERE churned),
               COUNT(*) FILTER (WHERE NOT churned),
               SUM(low + (ties - 1) / 2.0) FILTER (WHERE churned)
          FROM ranked
        """,
            until=day + timedelta(days=horizon_days),
            resubscribed=RESUBSCRIBED_SQL,
            scores=subscriptions._churn_risk_query(day, subscriptions.ids or None),
        )
    )
    churned, stayed, rank_sum = env.cr.fetchone()
    if not churned or not stayed:
        return None, churned, stayed
    auc = (float(rank_sum) - churned * (churned + 1) / 2) / (churned * stayed)
    return auc, churned, stayed


class PublicationCommon(AccountTestInvoicingCommon):
    """A monthly with its 2026-2027 issue calendar, a daily without calendar,
    offers, routes by postal code, subscribers, a Publication User, a Publication
    Manager and a Publication User who may also see invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref(
            "publication_crm.group_publication_manager"
        )
        cls.user = cls._new_user("pub_user", "publication_crm.group_publication_user")
        cls.manager = cls._new_user(
            "pub_manager", "publication_crm.group_publication_manager"
        )
        cls.invoicing_user = cls._new_user(
            "pub_invoicing",
            "publication_crm.group_publication_user,account.group_account_invoice",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Subscription", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls._create_publications()
        cls._create_plans()
        cls._create_routes()
        Partner = cls.env["res.partner"]
        cls.alice = Partner.create({"name": "Alice", "zip": "10100"})  # north
        cls.bob = Partner.create({"name": "Bob", "zip": "10600"})  # south
        cls.carol = Partner.create({"name": "Carol", "zip": "20000"})  # no route
        cls.sponsor = Partner.create({"name": "Valley Bank", "is_company": True})
        cls.reason_moved = cls.env.ref("publication_crm.churn_reason_moved")

    @classmethod
    def _create_publications(cls):
        Publication = cls.env["publication.publication"]
        cls.monthly = Publication.create(
            {
                "name": "Parish Monthly",
                "code": "PM",
                "issues_per_year": 12,
                "product_id": cls.product.id,
            }
        )
        cls.daily = Publication.create(
            {
                "name": "Valley Daily",
                "code": "VD",
                "issues_per_year": 312,
                "product_id": cls.product.id,
            }
        )
        # issues on the 1st of each month; the daily has no issue calendar
        cls.monthly._generate_issues(date(2026, 1, 1), date(2027, 12, 31))

    @classmethod
    def _create_plans(cls):
        Plan = cls.env["publication.subscription.plan"]
        cls.plan_annual = Plan.create(
            {
                "name": "Annual",
                "publication_id": cls.monthly.id,
                "term_unit": "months",
                "term_length": 12,
                "price": 120.0,
            }
        )
        cls.plan_issues = Plan.create(
            {
                "name": "12 issues",
                "publication_id": cls.monthly.id,
                "term_unit": "issues",
                "term_length": 12,
                "price": 60.0,
                "proration": "issues",
            }
        )
        cls.plan_monthly_digital = Plan.create(
            {
                "name": "E-paper",
                "publication_id": cls.monthly.id,
                "term_length": 12,
                "price": 50.0,
                "channel": "digital",
            }
        )
        cls.plan_daily = Plan.create(
            {
                "name": "Daily annual",
                "publication_id": cls.daily.id,
                "term_length": 12,
                "price": 300.0,
            }
        )
        cls.plan_trial = Plan.create(
            {
                "name": "Trial",
                "publication_id": cls.daily.id,
                "term_unit": "issues",
                "term_length": 24,
                "is_trial": True,
            }
        )

    @classmethod
    def _create_routes(cls):
        Route = cls.env["publication.route"]
        cls.route_north = Route.create(
            {
                "name": "North",
                "code": "N",
                "delivery_method": "carrier",
                "zip_from": "10000",
                "zip_to": "10499",
            }
        )
        cls.route_south = Route.create(
            {
                "name": "South",
                "code": "S",
                "delivery_method": "post",
                "zip_from": "10500",
                "zip_to": "10999",
            }
        )
        cls.route_digital = Route.create(
            {"name": "E-paper", "code": "D", "delivery_method": "digital"}
        )

    @classmethod
    def _new_user(cls, login, groups, companies=None):
        companies = companies or cls.env.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=companies[0].id,
            company_ids=[Command.set(companies.ids)],
        )

    def _subscription(self, user=None, **vals):
        """A draft subscription of Alice to the monthly, created by user."""
        values = {
            "recipient_id": self.alice.id,
            "publication_id": self.monthly.id,
            "plan_id": self.plan_annual.id,
            "date_start": "2026-01-01",
        } | vals
        Subscription = self.env["publication.subscription"]
        return Subscription.with_user(user or self.user).create(values)

    def _confirmed(self, **vals):
        subscription = self._subscription(**vals)
        subscription.action_confirm()
        return subscription

    def _invoice(self, subscription):
        return subscription.sudo().period_ids.invoice_id

    def _refund(self, subscription):
        return subscription.sudo().period_ids.refund_id

    def _issue(self, publication, day):
        return publication.issue_ids.filtered(lambda i: i.date == day)

    def _pay(self, invoice, amount=None):
        """Register a payment of amount (the full residual if None)."""
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount} if amount else {})
        )
        wizard.action_create_payments()

    def _use_job_runner(self):
        """The scheduled actions enqueue queue jobs, as where a queue_job
        runner serves the database (by default they run in-process)."""
        self.env["ir.config_parameter"].sudo().set_param(JOB_RUNNER_PARAM, "queue_job")

    def _perform_trapped(self, trap, jobs=None):
        """Run jobs (those waiting in trap, queue_job's trap_jobs, by default)
        as queue_job's controller does: each in a savepoint, then done. The
        jobs they enqueue wait in trap. Returns the jobs run."""
        jobs = list(trap.enqueued_jobs if jobs is None else jobs)
        for job in jobs:
            if job in trap.enqueued_jobs:
                trap.enqueued_jobs.remove(job)
            with self.env.cr.savepoint():
                job.perform()
            job.set_done()
        return jobs

    def _perform_all_trapped(self, trap):
        """Run the jobs waiting in trap, and those they enqueue, until none
        waits. Returns the jobs run."""
        done = []
        for _round in range(MAX_CRON_CALLS):
            if not trap.enqueued_jobs:
                return done
            done += self._perform_trapped(trap)
        self.fail(f"queue jobs still enqueue jobs after {MAX_CRON_CALLS} rounds")

    def _counts(self):
        return {
            model: self.env[model].sudo().search_count([]) for model in WRITTEN_MODELS
        }

    @contextmanager
    def assertRefused(self, exception, *texts):
        """The block raises exception saying texts, and leaves no new record."""
        before = self._counts()
        with self.assertRaises(exception) as caught:
            yield
        for text in texts:
            self.assertIn(text, str(caught.exception))
        self.assertEqual(self._counts(), before, "a refused input wrote nothing")


class CronCommits:
    """Stands in for ir.cron._commit_progress, which commits: here each call
    releases a savepoint and opens the next, so that a crash rolls back to the
    last "commit" as a real one would. It can say that the run's time is up
    after its nth call."""

    def __init__(self, env, time_up_after=None):
        self.env = env
        self.time_up_after = time_up_after
        self.calls = []
        self.savepoint = env.cr.savepoint()

    def __call__(self, cron, processed=0, *, remaining=None, deactivate=False):
        self.calls.append((processed, remaining))
        self.savepoint.close(rollback=False)
        self.savepoint = self.env.cr.savepoint()
        if self.time_up_after and len(self.calls) > self.time_up_after:
            return 0.0
        return float("inf")

    def crash(self):
        """Lose what was done since the last commit."""
        self.savepoint.close(rollback=True)

    def done(self):
        self.savepoint.close(rollback=False)


class CronCrash(BaseException):
    """The worker dies: no except clause of the add-on may swallow it."""


class AutomationCommon(PublicationCommon):
    """Renewal automation: run the scheduled actions as the scheduler would."""

    CRONS = (
        "_cron_renew",
        "_cron_renewal_reminders",
        "_cron_dunning",
        "_cron_expire",
        "_cron_winback",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.monthly.payment_grace_days = 30  # active at confirmation
        cls.plan_quarterly = cls.env["publication.subscription.plan"].create(
            {
                "name": "Quarterly, renews itself",
                "publication_id": cls.monthly.id,
                "term_length": 3,
                "price": 30.0,
                "renewal_type": "continuous",
            }
        )

    def _print_letters(self):
        """The letter runs' scheduled action, its commits as savepoints,
        rendering real PDFs."""
        Run = self.env["publication.letter.run"].with_context(
            force_report_rendering=True
        )
        commits = CronCommits(self.env)
        with (
            patch.object(
                self.registry["ir.cron"], "_commit_progress", autospec=True
            ) as progress,
            # a wkhtmltopdf without patched Qt says it ignores the header switches
            mute_logger("odoo.addons.base.models.ir_actions_report"),
        ):
            progress.side_effect = commits
            Run._cron_print_letters()
        commits.done()

    def _run(self, *crons, commits=None):
        """Run crons (all by default) like the scheduler: again while one says
        that it ran out of time, at most MAX_CRON_CALLS times (then the test
        fails instead of looping for ever). Returns the CronCommits used."""
        commits = commits or CronCommits(self.env)
        Automation = self.env["publication.automation"]
        with patch.object(
            self.registry["ir.cron"], "_commit_progress", autospec=True
        ) as progress:
            progress.side_effect = commits
            for cron in crons or self.CRONS:
                calls = 1
                while not getattr(Automation, cron)():
                    calls += 1
                    self.assertLessEqual(
                        calls, MAX_CRON_CALLS, f"{cron} never says it is complete"
                    )
        commits.done()
        return commits

    def _crash_in_invoicing(self, call):
        """Patch the periods' invoicing so that its call-th call kills the
        worker (CronCrash) before invoicing anything; the others invoice."""
        Period = self.registry["publication.subscription.period"]
        original = Period._create_invoices
        calls = []

        def crash_at_call(periods):
            calls.append(periods)
            if len(calls) == call:
                raise CronCrash("the worker was killed")
            return original(periods)

        return patch.object(
            Period, "_create_invoices", autospec=True, side_effect=crash_at_call
        )

    def _events(self, subscriptions, kind=None):
        events = self.env["publication.renewal.event"].search(
            [("subscription_id", "in", subscriptions.ids)]
            + ([("kind", "=", kind)] if kind else []),
            order="date, id",
        )
        return [
            (event.date, event.subscription_id, event.kind, event.step_id.days)
            for event in events
        ]

    def _active_continuous(self, partners, plan=None, start="2026-01-01"):
        """Paid continuous subscriptions of partners, active."""
        subscriptions = self.env["publication.subscription"].create(
            [
                {
                    "recipient_id": partner.id,
                    "publication_id": self.monthly.id,
                    "plan_id": (plan or self.plan_quarterly).id,
                    "date_start": start,
                }
                for partner in partners
            ]
        )
        subscriptions.action_confirm()
        return subscriptions


class AdvertisingCommon(PublicationCommon):
    """The monthly with an advertising product and a 2026 rate card (frequency
    discounts from the 6th and the 12th insertion), two advertisers and an agency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ad_product = cls.env["product.product"].create(
            {"name": "Advertisement", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.monthly.ad_product_id = cls.ad_product
        cls.rate_card = cls.env["publication.rate.card"].create(
            {
                "name": "Rates 2026",
                "publication_id": cls.monthly.id,
                "date_from": "2026-01-01",
                "date_to": "2027-12-31",
                "line_ids": [
                    Command.create(
                        {"ad_format": "full", "position": "back_cover", "price": 1000}
                    ),
                    Command.create(
                        {"ad_format": "half", "position": "inside", "price": 500}
                    ),
                    Command.create(
                        {
                            "ad_format": "quarter",
                            "position": "inside",
                            "colour": "bw",
                            "price": 200,
                        }
                    ),
                ],
                "tier_ids": [
                    Command.create({"min_insertions": 6, "discount": 10}),
                    Command.create({"min_insertions": 12, "discount": 20}),
                ],
            }
        )
        Partner = cls.env["res.partner"]
        cls.bakery = Partner.create(
            {"name": "Bakery", "is_company": True, "email": "bakery@example.com"}
        )
        cls.garage = Partner.create(
            {"name": "Garage", "is_company": True, "email": "garage@example.com"}
        )
        cls.agency = Partner.create(
            {"name": "Agency", "is_company": True, "email": "agency@example.com"}
        )

    def _contract(self, user=None, confirm=True, **vals):
        """An ad contract of the bakery in the monthly for 2026, by user."""
        values = {
            "partner_id": self.bakery.id,
            "publication_id": self.monthly.id,
            "date_start": "2026-01-01",
            "date_end": "2026-12-31",
            "committed_insertions": 10,
        } | vals
        Contract = self.env["publication.ad.contract"].with_user(user or self.user)
        contract = Contract.create(values)
        if confirm:
            contract.action_confirm()
        return contract

    def _book(self, contract, day, user=None, **vals):
        """Book a half page inside the issue of the monthly published on day."""
        values = {
            "contract_id": contract.id,
            "issue_id": self._issue(self.monthly, day).id,
            "ad_format": "half",
            "position": "inside",
        } | vals
        Booking = self.env["publication.ad.booking"].with_user(user or self.user)
        return Booking.create(values)

    def _book_months(self, contract, months, user=None, **vals):
        bookings = self.env["publication.ad.booking"]
        for month in months:
            bookings |= self._book(contract, date(2026, month, 1), user=user, **vals)
        return bookings

    def _attach_material(self, booking, user=None):
        """The salesperson attaches the advertisement to the booking."""
        booking.with_user(user or self.user).material_attachment_ids = (
            self.env["ir.attachment"]
            .with_user(user or self.user)
            .create(
                {
                    "name": "ad.pdf",
                    "raw": b"%PDF-1.4",
                    "res_model": booking._name,
                    "res_id": booking.id,
                }
            )
        )

    def _ad_moves(self, **domain):
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [("line_ids.product_id", "=", self.ad_product.id)]
                + [(key, "=", value) for key, value in domain.items()]
            )
        )

    def _no_cron_commit(self):
        """The crons commit their progress; a test must not."""
        self.patch(
            type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: 3600.0
        )


class HelpdeskCommon(PublicationCommon):
    """PublicationCommon with a subscriber service team, its leader, an agent
    (helpdesk team user and Publication User) and Alice's active subscription."""

    @classmethod
    def _create_portal_users(cls):
        """Portal users of Alice and Bob."""
        for name, partner in (("alice", cls.alice), ("bob", cls.bob)):
            user = new_test_user(
                cls.env,
                login=f"portal_{name}",
                groups="base.group_portal",
                partner_id=partner.id,
            )
            setattr(cls, f"portal_{name}", user)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        cls.env.company.partner_id.tz = "UTC"
        cls.leader = cls._new_user(
            "hd_leader",
            "helpdesk_mgmt.group_helpdesk_user,publication_crm.group_publication_user",
        )
        cls.agent = cls._new_user(
            "hd_agent",
            "helpdesk_mgmt.group_helpdesk_user_team,"
            "publication_crm.group_publication_user",
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Subscriber Service",
                "alias_name": "service",
                "user_id": cls.leader.id,
                "user_ids": [Command.set((cls.leader | cls.agent).ids)],
            }
        )
        cls.cat_missed = cls.env.ref("publication_crm.complaint_category_missed_copy")
        cls.cat_damaged = cls.env.ref("publication_crm.complaint_category_damaged_copy")
        cls.cat_late = cls.env.ref("publication_crm.complaint_category_late_delivery")
        cls.cat_billing = cls.env.ref("publication_crm.complaint_category_billing")
        cls.alice.email = "alice@example.com"
        cls.bob.email = "bob@example.com"

    def _active(self, **vals):
        subscription = self._confirmed(**vals)
        self._pay(self._invoice(subscription))
        self.assertEqual(subscription.state, "active")
        return subscription

    def _ticket(self, partner, category=None, user=None, **vals):
        values = {
            "name": "Complaint",
            "description": "<p>Where is my paper?</p>",
            "team_id": self.team.id,
            "user_id": self.agent.id,
            "partner_id": partner.id,
            "category_id": (category or self.cat_missed).id,
        } | vals
        return self.env["helpdesk.ticket"].with_user(user or self.agent).create(values)


def pdf_text(pdf):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", file.name, "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        images = subprocess.run(
            ["pdfimages", "-list", file.name],
            capture_output=True,
            check=True,
            text=True,
        ).stdout.splitlines()[2:]
    # (width, height) of each image; the QR codes are 128 x 128
    return text, [tuple(line.split()[3:5]) for line in images]
