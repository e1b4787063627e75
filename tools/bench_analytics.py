"""Subscriber analytics on many subscriptions with three years of periods.

Run by tools/bench_analytics with `odoo shell` (which provides `env`). Makes a
publication with BENCH_SUBSCRIPTIONS subscriptions (half continuous quarterly,
half fixed annual) started over the last three years, 3 in 10 of them closed
(cancelled or expired, a third of these renewed by a new subscription), their
periods, an invoice for each last period, the frozen distribution lists of the
last three issues and payment reminders for 1 in 7, all in set-based SQL. Then
times the nightly refresh (the three materialized views, the ABC classes and
the churn-risk scores through the automation runner), each report's pivot as
the web client reads it, the dashboard as a Publication User's web client
loads it (the spreadsheet, its models' fields, each pivot and each Odoo chart;
with the default filters, the last 12 months, and with the filters cleared:
dashboard_all_months) and the churn-risk back-test (AUC).

Writes the figures to BENCH_OUT as JSON; exits non-zero when a report or the
dashboard takes longer than TARGET seconds.
"""

import json
import os
import sys
import time

from bench_clone import clone_partners, clone_rows, make_publication
from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command, fields

from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)
from odoo.addons.publication_crm.tests.common import (
    ODOO_CHARTS,
    churn_risk_auc,
    dashboard_figures,
    read_dashboard_chart,
    read_dashboard_pivot,
)

env = env  # noqa: F821, PLW0127 - given by odoo shell
TOTAL = int(os.environ["BENCH_SUBSCRIPTIONS"])
TARGET = 2.0  # seconds, each report and the dashboard
today = fields.Date.context_today(env.user)
start = today - relativedelta(years=3)
figures = {"subscriptions": TOTAL}


def timed(name, function):
    env.invalidate_all()
    began = time.perf_counter()
    result = function()
    figures[name] = round(time.perf_counter() - began, 2)
    print(f"{name}: {figures[name]} s", flush=True)
    return result


def make_subscriptions(publication, continuous, fixed):
    partner_ids = clone_partners(env, TOTAL, "Analytics reader")
    template = env["publication.subscription"].create(
        {
            "recipient_id": partner_ids[0],
            "publication_id": publication.id,
            "plan_id": continuous.id,
            "date_start": start,
        }
    )
    template.action_confirm()
    env.flush_all()
    reader = "(%(partners)s::int[])[g]"
    ids = clone_rows(
        env.cr,
        "publication_subscription",
        template.id,
        TOTAL - 1,
        {
            "name": "'BA/' || g",
            "recipient_id": reader,
            "payer_id": reader,
            "delivery_address_id": reader,
            "plan_id": "CASE WHEN g %% 2 = 0 THEN %(continuous)s ELSE %(fixed)s END",
            "renewal_type": "CASE WHEN g %% 2 = 0 THEN 'continuous' ELSE 'fixed' END",
            "amount": "CASE WHEN g %% 2 = 0 THEN 30 ELSE 120 END",
            "price_unit": "CASE WHEN g %% 2 = 0 THEN 30 ELSE 120 END",
            "date_start": "%(start)s::date + (g * 7) %% 1090",
            "access_token": "NULL",
        },
        {
            "partners": partner_ids[1:],
            "continuous": continuous.id,
            "fixed": fixed.id,
            "start": start,
        },
    )
    # terms until today (open) or fewer (closed, 3 in 10), then the periods
    env.cr.execute(
        """
        WITH term AS (
            SELECT s.id, x.g, CASE WHEN x.g %% 2 = 0 THEN 3 ELSE 12 END AS months,
                   s.date_start,
                   (EXTRACT(YEAR FROM age(%(today)s, s.date_start)) * 12
                    + EXTRACT(MONTH FROM age(%(today)s, s.date_start)))::int
                       AS elapsed
              FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS x(id, g)
              JOIN publication_subscription s ON s.id = x.id
        ),
        plan AS (
            SELECT id, g, months, date_start,
                   CASE WHEN g %% 10 < 3 AND elapsed >= months
                        THEN LEAST(1 + g %% 3, elapsed / months)
                        ELSE elapsed / months + 1 END AS terms,
                   g %% 10 < 3 AND elapsed >= months AS closed
              FROM term
        )
        UPDATE publication_subscription s
           SET date_end = (p.date_start + p.terms * p.months * interval '1 month')::date
                          - CASE WHEN p.closed AND p.g %% 10 = 0 THEN 31 ELSE 1 END,
               state = CASE WHEN NOT p.closed THEN 'active'
                            WHEN p.g %% 10 = 0 THEN 'cancelled' ELSE 'expired' END,
               date_cancel = CASE WHEN p.closed AND p.g %% 10 = 0
                   THEN (p.date_start + p.terms * p.months * interval '1 month')::date
                        - 31 END,
               churn_reason_id = CASE WHEN p.closed THEN %(reason)s END
          FROM plan p
         WHERE p.id = s.id
        """,
        {
            "ids": ids,
            "today": today,
            "reason": env.ref("publication_crm.churn_reason_price").id,
        },
    )
    env.cr.execute(
        """
        INSERT INTO publication_subscription_period
               (subscription_id, publication_id, payer_id, recipient_id, company_id,
                date_start, date_end, date_end_invoiced, quantity, amount,
                payment_state, create_uid, write_uid, create_date, write_date)
        SELECT s.id, s.publication_id, s.payer_id, s.recipient_id, s.company_id,
               (s.date_start + k * m.months * interval '1 month')::date,
               (s.date_start + (k + 1) * m.months * interval '1 month')::date - 1,
               (s.date_start + (k + 1) * m.months * interval '1 month')::date - 1,
               1, s.amount, 'paid', 1, 1, now(), now()
          FROM publication_subscription s
         CROSS JOIN LATERAL (
            SELECT CASE WHEN s.renewal_type = 'continuous' THEN 3 ELSE 12 END
         ) m(months)
         CROSS JOIN LATERAL generate_series(
            0, (EXTRACT(YEAR FROM age(s.date_end + 31, s.date_start)) * 12
                + EXTRACT(MONTH FROM age(s.date_end + 31, s.date_start)))::int
               / m.months - 1) k
         WHERE s.id = ANY(%(ids)s)
        """,
        {"ids": ids},
    )
    return template, ids


def renew_some_by_new_subscriptions(ids):
    """A third of the expired readers subscribe again the day after."""
    env.cr.execute(
        "SELECT id FROM publication_subscription WHERE id = ANY(%s) "
        "AND state = 'expired' AND id %% 3 = 0 AND date_end < %s - 400 ORDER BY id",
        (ids, today),
    )
    renewed = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        """
        WITH o AS (
            SELECT * FROM publication_subscription WHERE id = ANY(%(renewed)s)
        ), n AS (
            INSERT INTO publication_subscription
                   (name, recipient_id, payer_id, delivery_address_id, publication_id,
                    plan_id, company_id, quantity, price_unit, amount, renewal_type,
                    origin, state, date_start, date_end, delivery_method, user_id,
                    create_uid, write_uid, create_date, write_date)
            SELECT 'BA/R/' || o.id, o.recipient_id, o.payer_id, o.delivery_address_id,
                   o.publication_id, o.plan_id, o.company_id, 1, o.price_unit,
                   o.amount, o.renewal_type, 'renewal', 'active', o.date_end + 1,
                   (o.date_end + interval '1 year')::date, o.delivery_method,
                   o.user_id, 1, 1, now(), now()
              FROM o
            RETURNING id, publication_id, payer_id, recipient_id, company_id,
                      date_start, date_end, amount
        )
        INSERT INTO publication_subscription_period
               (subscription_id, publication_id, payer_id, recipient_id, company_id,
                date_start, date_end, date_end_invoiced, quantity, amount,
                payment_state, create_uid, write_uid, create_date, write_date)
        SELECT id, publication_id, payer_id, recipient_id, company_id, date_start,
               date_end, date_end, 1, amount * 4, 'paid', 1, 1, now(), now()
          FROM n
        """,
        {"renewed": renewed},
    )
    figures["renewed_by_new_subscription"] = len(renewed)


def invoice_last_periods(template):
    """An invoice (its product line) for the last period of each subscription."""
    env.cr.execute(
        """
        SELECT DISTINCT ON (p.subscription_id) p.id, p.payer_id, p.date_start,
               p.amount
          FROM publication_subscription_period p
          JOIN publication_subscription s ON s.id = p.subscription_id
         WHERE s.name LIKE 'BA/%%'
         ORDER BY p.subscription_id, p.date_start DESC
        """
    )
    periods, payers, days, amounts = zip(*env.cr.fetchall(), strict=True)
    invoice = template.period_ids.invoice_id
    params = {
        "periods": list(periods),
        "payers": list(payers),
        "days": list(days),
        "amounts": list(amounts),
    }
    moves = clone_rows(
        env.cr,
        "account_move",
        invoice.id,
        len(periods),
        {
            "name": "'BA/INV/' || g",
            "partner_id": "(%(payers)s::int[])[g]",
            "commercial_partner_id": "(%(payers)s::int[])[g]",
            "invoice_date": "LEAST((%(days)s::date[])[g], CURRENT_DATE)",
            "date": "LEAST((%(days)s::date[])[g], CURRENT_DATE)",
            "access_token": "NULL",
            "sequence_number": "g",
            "sequence_prefix": "'BA/INV/'",
        },
        params,
    )
    line = invoice.invoice_line_ids[:1]
    amount = "(%(amounts)s::numeric[])[g]"
    clone_rows(
        env.cr,
        "account_move_line",
        line.id,
        len(periods),
        {
            "move_id": "(%(moves)s::int[])[g]",
            "partner_id": "(%(payers)s::int[])[g]",
            "publication_period_id": "(%(periods)s::int[])[g]",
            "date": "LEAST((%(days)s::date[])[g], CURRENT_DATE)",
            "balance": f"-{amount}",
            "amount_currency": f"-{amount}",
            "credit": amount,
            "debit": "0",
            "price_unit": amount,
            "price_subtotal": amount,
            "price_total": amount,
        },
        params | {"moves": moves},
    )
    env.cr.execute(
        """
        UPDATE publication_subscription_period p
           SET invoice_id = x.move_id
          FROM unnest(%s::int[], %s::int[]) AS x(period_id, move_id)
         WHERE p.id = x.period_id
        """,
        (list(periods), moves),
    )


def distribute_last_issues(publication):
    """Frozen lists of the last three issues, and payment reminders for 1 in 7."""
    publication._generate_issues(start, today)
    issues = env["publication.issue"].search(
        [("publication_id", "=", publication.id), ("date", "<=", today)],
        order="date desc",
        limit=3,
    )
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO publication_distribution_line
               (issue_id, kind, subscription_id, name, delivery_method, copies)
        SELECT i.id, 'subscription', s.id, s.name, 'post', 1
          FROM publication_issue i
          JOIN publication_subscription s
            ON s.publication_id = i.publication_id
           AND i.date BETWEEN s.date_start AND s.date_end
         WHERE i.id = ANY(%(issues)s) AND s.state != 'draft'
        """,
        {"issues": issues.ids},
    )
    env.cr.execute(
        """
        INSERT INTO publication_renewal_event
               (subscription_id, publication_id, company_id, payer_id, kind, date,
                create_uid, write_uid, create_date, write_date)
        SELECT s.id, s.publication_id, s.company_id, s.payer_id, 'dunning',
               GREATEST(s.date_start, %(today)s - 100), 1, 1, now(), now()
          FROM publication_subscription s
         WHERE s.publication_id = %(publication)s AND s.id %% 7 = 0
        """,
        {"today": today, "publication": publication.id},
    )


def read_pivot(model, domain, grouping_sets, aggregates):
    return env[model].formatted_read_grouping_sets(domain, grouping_sets, aggregates)


def pivot_of_view(model, xmlid):
    """The groupings and measures of a pivot view, as the web client asks."""
    arch = env.ref(xmlid).arch
    tree = etree.fromstring(arch.encode())

    def spec(node):
        name = node.get("name")
        return f"{name}:{node.get('interval')}" if node.get("interval") else name

    rows = [spec(n) for n in tree.iter("field") if n.get("type") == "row"]
    columns = [spec(n) for n in tree.iter("field") if n.get("type") == "col"]
    field_specs = env[model]._fields
    measures = [
        f"{n.get('name')}:{field_specs[n.get('name')].aggregator}"
        for n in tree.iter("field")
        if n.get("type") == "measure"
    ]
    return [[], rows, columns, rows + columns], measures


def dashboard(clear_filters=False):
    """What the web client asks the server to show the dashboard, as a
    Publication User: the spreadsheet, the fields of its models, each pivot
    and each Odoo chart with the default filters (the last 12 months), or with
    the filters cleared (every month of facts)."""
    record = env.ref("publication_crm.spreadsheet_dashboard_publication_analytics")
    user_env = env(user=dashboard_user)
    data = record.with_env(user_env)._get_serialized_readonly_dashboard()
    snapshot = json.loads(data)["snapshot"]
    if clear_filters:
        snapshot["globalFilters"] = []
    charts = dashboard_figures(snapshot, *ODOO_CHARTS)
    models = {pivot["model"] for pivot in snapshot["pivots"].values()}
    for model in models | {chart["metaData"]["resModel"] for chart in charts}:
        user_env[model].fields_get()
    parts = {}
    for pivot_id, pivot in snapshot["pivots"].items():
        began = time.perf_counter()
        read_dashboard_pivot(user_env, snapshot, pivot, today)
        parts[f"pivot {pivot_id} ({pivot['model']})"] = time.perf_counter() - began
    for chart in charts:
        began = time.perf_counter()
        read_dashboard_chart(user_env, snapshot, chart, today)
        parts[f"chart {chart['title']['text']}"] = time.perf_counter() - began
    return parts


publication, continuous, fixed = make_publication(env, "Analytics Bench", "AB")
publication.write({"print_cost": 0.9, "delivery_cost": 0.6})
began = time.perf_counter()
template, ids = make_subscriptions(publication, continuous, fixed)
renew_some_by_new_subscriptions(ids)
invoice_last_periods(template)
distribute_last_issues(publication)
env.cr.execute(
    "SELECT COUNT(*) FROM publication_subscription_period WHERE publication_id = %s",
    (publication.id,),
)
figures["periods"] = env.cr.fetchone()[0]
env.cr.execute("ANALYZE")
env.cr.commit()
figures["setup"] = round(time.perf_counter() - began, 1)
print(f"setup: {figures}", flush=True)

REFRESH_NAMES = {
    "publication.subscription.month": "refresh_monthly_facts",
    "publication.analytics.month": "refresh_monthly_sums",
    "publication.cohort.report": "refresh_cohorts",
    "publication.cohort.total": "refresh_cohort_totals",
    "publication.customer.profitability": "refresh_profitability",
    "publication.renewal.report": "refresh_renewal_rate",
}
for model in publication_automation.ANALYTICS_VIEWS:
    timed(REFRESH_NAMES[model], env[model]._refresh)
timed("refresh_abc", env["res.partner"]._refresh_abc_classes)
timed("refresh_churn_risk", env["publication.automation"]._cron_churn_risk)
env.cr.commit()

REPORTS = {
    "report_subscribers": (
        "publication.analytics.month",
        "publication_crm.publication_analytics_month_view_pivot",
    ),
    "report_mrr": (
        "publication.analytics.month",
        "publication_crm.publication_analytics_month_view_pivot_mrr",
    ),
    "report_churn_rate": (
        "publication.subscription.month",
        "publication_crm.publication_subscription_month_view_pivot",
    ),
    "report_cohorts": (
        "publication.cohort.report",
        "publication_crm.publication_cohort_report_view_pivot",
    ),
    "report_profitability": (
        "publication.customer.profitability",
        "publication_crm.publication_customer_profitability_view_pivot",
    ),
    "report_renewal_rate": (
        "publication.renewal.report",
        "publication_crm.publication_renewal_report_view_pivot",
    ),
}
for name, (model, view) in REPORTS.items():
    grouping_sets, measures = pivot_of_view(model, view)
    timed(name, lambda m=model, g=grouping_sets, a=measures: read_pivot(m, [], g, a))
timed(
    "report_abc",
    lambda: read_pivot(
        "res.partner",
        [("abc_class", "!=", False)],
        [[], ["abc_class"]],
        ["abc_revenue:sum"],
    ),
)
timed(
    "report_top_risk",
    lambda: env["publication.subscription"].search_read(
        [("churn_risk_high", "=", True)],
        ["name", "churn_risk_score"],
        order="churn_risk_score desc",
        limit=80,
    ),
)
dashboard_user = env["res.users"].create(
    {
        "name": "Dashboard reader",
        "login": "bench_dashboard_reader",
        "group_ids": [
            Command.set([env.ref("publication_crm.group_publication_user").id])
        ],
    }
)
for name, clear in (("dashboard", False), ("dashboard_all_months", True)):
    parts = timed(name, lambda c=clear: dashboard(c))
    figures[f"{name}_parts"] = {part: round(t, 3) for part, t in parts.items()}
auc, churned, stayed = timed(
    "back_test",
    lambda: churn_risk_auc(
        env["publication.subscription"].search(
            [("publication_id", "=", publication.id)]
        ),
        today - relativedelta(years=1),
    ),
)
figures["auc"] = round(auc, 3) if auc is not None else None
figures["auc_churned"], figures["auc_stayed"] = churned, stayed
env.cr.execute("SELECT COUNT(*) FROM publication_subscription_month")
figures["monthly_fact_rows"] = env.cr.fetchone()[0]

with open(os.environ["BENCH_OUT"], "w") as out:
    json.dump(figures, out, indent=2)
slow = [
    name
    for name in figures
    if (name.startswith(("report_", "dashboard")) and not name.endswith("_parts"))
    and figures[name] > TARGET
]
if slow:
    print(f"slower than {TARGET} s: {', '.join(slow)}", flush=True)
    sys.exit(1)
