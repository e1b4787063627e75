"""Distribution of a daily: freezing, documents and reports on many subscriptions.

Run by tools/bench_distribution with `odoo shell` (which provides `env`). Makes
a daily with BENCH_ISSUES issues up to tomorrow, BENCH_SUBSCRIPTIONS active
subscriptions on 20 carrier routes (the first route has BENCH_ROUTE_SHEET of
them) and a weekly with BENCH_LABELS subscriptions, then times:

- freezing today's and tomorrow's list of the daily (the second one is the
  figure; route sheets compare it with the first);
- the address labels of the weekly (A4 3 x 8) and one route sheet, as PDFs;
- the print-run reports and the complaint statistics over the whole history
  (each read: by month and method, by issue and route, every issue's print run;
  by route and category, by issue, in total),
  whose older issues get the totals of today's list (the reports read totals,
  not the 100,000 lines per issue, which the history does not hold) and one
  complaint per 1,000 copies.

Writes the figures to BENCH_OUT as JSON; exits non-zero when a count is wrong
or a target (scaled to the sizes) is missed.
"""

import io
import os
import sys
import time
from datetime import timedelta

from bench_clone import clone_partners, clone_rows, make_publication, write_results

from odoo import fields
from odoo.http import root
from odoo.service import server
from odoo.tools import config
from odoo.tools.pdf import PdfReader

env = env  # noqa: F821, PLW0127 - given by odoo shell
TOTAL = int(os.environ["BENCH_SUBSCRIPTIONS"])
LABELS = int(os.environ["BENCH_LABELS"])
ROUTE_SHEET = int(os.environ["BENCH_ROUTE_SHEET"])
ISSUES = int(os.environ["BENCH_ISSUES"])
ROUTES = 20
today = fields.Date.context_today(env.user)
# full-size targets (seconds) and the size each one is for
TARGETS = {
    "freeze": (10.0, TOTAL / 100000),
    "labels_pdf": (60.0, LABELS / 10000),
    "route_sheet_pdf": (5.0, ROUTE_SHEET / 500),
    "print_run_reports": (2.0, ISSUES * TOTAL / (900 * 100000)),
    "complaint_statistics": (2.0, ISSUES * TOTAL / (900 * 100000)),
}
MIN_TARGET = 2.0  # seconds: below that, a shared machine's noise decides


def make_routes():
    Route = env["publication.route"]
    return Route.create(
        [
            {
                "name": f"Bench route {k:02d}",
                "code": f"BR{k:02d}",
                "delivery_method": "carrier",
                "zip_from": f"1{k:02d}000",
                "zip_to": f"1{k:02d}999",
                "extra_copies": 5 if k == 0 else 0,
            }
            for k in range(ROUTES)
        ]
    )


def route_index_sql(g="g"):
    """Route of reader g: the first ROUTE_SHEET on route 0, then the others."""
    return f"CASE WHEN {g} <= {ROUTE_SHEET} THEN 0 ELSE 1 + {g} %% {ROUTES - 1} END"


def give_addresses(partner_ids):
    env.cr.execute(
        f"""UPDATE res_partner p
               SET zip = '1' || lpad(({route_index_sql("x.g")})::text, 2, '0')
                         || lpad((x.g %% 1000)::text, 3, '0'),
                   street = x.g || ' Bench Street',
                   city = 'Benchtown'
              FROM unnest(%s::int[]) WITH ORDINALITY AS x(id, g)
             WHERE p.id = x.id""",
        (partner_ids,),
    )


def subscribe(publication, plan, partner_ids, routes):
    partner = env["res.partner"].browse(partner_ids[0])
    template = env["publication.subscription"].create(
        {
            "recipient_id": partner.id,
            "publication_id": publication.id,
            "plan_id": plan.id,
            "date_start": today - timedelta(days=3 * 365),
        }
    )
    template.action_confirm()
    env.flush_all()
    rest = partner_ids[1:]
    params = {
        "partners": rest,
        "routes": routes.ids,
        "start": today - timedelta(days=3 * 365),
        "end": today + timedelta(days=365),
    }
    reader = "(%(partners)s::int[])[g]"
    ids = clone_rows(
        env.cr,
        "publication_subscription",
        template.id,
        len(rest),
        {
            "name": "'BENCH/' || t.id || '/' || g",
            "recipient_id": reader,
            "payer_id": reader,
            "delivery_address_id": reader,
            "route_id": f"(%(routes)s::int[])[1 + {route_index_sql('g + 1')}]",
            "route_stop": "g",
            "delivery_method": "'carrier'",
            "date_start": "%(start)s::date",
            "date_end": "%(end)s::date",
            "access_token": "NULL",
            "state": "'active'",
        },
        params,
    )
    clone_rows(
        env.cr,
        "publication_subscription_period",
        template.period_ids.id,
        len(ids),
        {
            "subscription_id": "(%(subscriptions)s::int[])[g]",
            "recipient_id": reader,
            "payer_id": reader,
            "date_start": "%(start)s::date",
            "date_end": "%(end)s::date",
            "invoice_id": "NULL",
            "invoice_line_id": "NULL",
            "invoice_date_due": "NULL",
            "payment_state": "'paid'",
        },
        {**params, "subscriptions": ids},
    )
    env.cr.execute(
        "UPDATE publication_subscription SET date_end = %s, route_stop = 0 "
        "WHERE id = %s",
        (params["end"], template.id),
    )
    env.invalidate_all()
    return len(ids) + 1


def populate():
    routes = make_routes()
    daily, _continuous, fixed = make_publication(env, "Bench Daily", "BD")
    daily.write({"issues_per_year": 312, "print_deadline_days": 1})
    first = today - timedelta(days=ISSUES * 7 // 6)
    daily._generate_issues(first, today + timedelta(days=1))
    weekly, _continuous, weekly_plan = make_publication(env, "Bench Weekly", "BW")
    weekly.issues_per_year = 52
    weekly._generate_issues(today, today + timedelta(days=6))
    partners = clone_partners(env, TOTAL, "Reader")
    give_addresses(partners)
    subscribe(daily, fixed, partners, routes)
    subscribe(weekly, weekly_plan, partners[:LABELS], routes)
    env.cr.execute("ANALYZE")
    env.cr.commit()
    return daily, weekly, routes


def timed(function):
    start = time.monotonic()
    result = function()
    env.cr.commit()
    return round(time.monotonic() - start, 2), result


def freeze(issue):
    def run():
        issue._freeze_distribution()
        return env["publication.distribution.line"].search_count(
            [("issue_id", "=", issue.id)]
        )

    return timed(run)


def make_history(daily, routes, model_issue):
    """Older issues get the totals of model_issue's list and complaints."""
    history = daily.issue_ids.filtered(lambda i: not i.distribution_frozen_date)
    history -= history.filtered(lambda i: i.date > today)
    env.cr.execute(
        """INSERT INTO publication_distribution_total (issue_id, route_id,
               delivery_method, subscription_count, copies, replacement_copies)
           SELECT i, t.route_id, t.delivery_method, t.subscription_count,
                  t.copies, 0
             FROM publication_distribution_total t, unnest(%s::int[]) i
            WHERE t.issue_id = %s""",
        (history.ids, model_issue.id),
    )
    env.cr.execute(
        "UPDATE publication_issue SET distribution_frozen_date = now() "
        "WHERE id = ANY(%s)",
        (history.ids,),
    )
    categories = env["helpdesk.ticket.category"].search(
        [("complaint_code", "!=", False)]
    )
    template = env["helpdesk.ticket"].create(
        {
            "name": "Bench complaint",
            "description": "<p>Missing</p>",
            "category_id": categories[0].id,
            "issue_id": model_issue.id,
            "route_id": routes[0].id,
        }
    )
    env.flush_all()
    issues = (history | model_issue).ids
    count = len(issues) * TOTAL // 1000
    clone_rows(
        env.cr,
        "helpdesk_ticket",
        template.id,
        count,
        {
            "name": "'Bench complaint ' || g",
            "number": "'BENCH' || g",
            "issue_id": "(%(issues)s::int[])[1 + g %% %(n_issues)s]",
            "route_id": "(%(routes)s::int[])[1 + g %% %(n_routes)s]",
            "category_id": "(%(categories)s::int[])[1 + g %% %(n_categories)s]",
            "access_token": "NULL",
        },
        {
            "issues": issues,
            "n_issues": len(issues),
            "routes": routes.ids,
            "n_routes": len(routes),
            "categories": categories.ids,
            "n_categories": len(categories),
        },
    )
    env.cr.execute("ANALYZE")
    env.cr.commit()
    env.invalidate_all()
    return len(issues), count + 1


def each_timed(reads):
    """Seconds of the slowest read and the number of rows of each."""
    seconds, rows = [], []
    for read in reads:
        start = time.monotonic()
        rows.append(len(read()))
        seconds.append(time.monotonic() - start)
    env.cr.commit()
    return round(max(seconds), 2), rows


def print_run_reports(daily):
    """The print-run pivot and graph, and the issues' list with print runs."""
    Distribution = env["publication.issue.distribution"]
    domain = [("publication_id", "=", daily.id), ("date", "<=", today)]

    def print_runs():
        env.invalidate_all()
        return env["publication.issue"].search(domain).mapped("print_run")

    return each_timed(
        [
            lambda: Distribution._read_group(
                domain, ["date:month", "delivery_method"], ["copies:sum"]
            ),
            lambda: Distribution._read_group(
                domain, ["issue_id", "route_id"], ["copies:sum"]
            ),
            print_runs,
        ]
    )


def complaint_statistics(daily):
    Report = env["publication.complaint.report"]
    domain = [("publication_id", "=", daily.id)]
    aggregates = ["ticket_count:sum", "copies:sum", "complaints_per_thousand:sum"]
    return each_timed(
        [
            lambda groupby=groupby: Report._read_group(domain, groupby, aggregates)
            for groupby in (["route_id", "category_id"], ["issue_id"], [])
        ]
    )


def complaint_rate(daily):
    return env["publication.complaint.report"]._read_group(
        [("publication_id", "=", daily.id)], [], ["complaints_per_thousand:sum"]
    )[0][0]


def render(xmlid, issue, data=None):
    pdf, _kind = env["ir.actions.report"]._render_qweb_pdf(xmlid, issue.ids, data)
    return pdf, len(PdfReader(io.BytesIO(pdf)).pages)


def serve_assets():
    """wkhtmltopdf loads the report's style sheets from Odoo over HTTP."""
    port = int(os.environ.get("BENCH_HTTP_PORT", config["http_port"]))
    httpd = server.ThreadedServer(root)
    httpd.interface, httpd.port = "127.0.0.1", port
    httpd.http_spawn()
    env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
    env.cr.commit()


def main():
    serve_assets()
    seconds, (daily, weekly, routes) = timed(populate)
    result = {"sizes": {"subscriptions": TOTAL, "labels": LABELS}, "setup": seconds}
    today_issue, tomorrow = daily.issue_ids.sorted("date")[-2:]
    result["freeze_first"], _lines = freeze(today_issue)
    # tomorrow: a few readers stop, move or join, for the route sheet
    env.cr.execute(
        "UPDATE res_partner SET street = 'Moved ' || street WHERE id IN "
        "(SELECT recipient_id FROM publication_subscription "
        " WHERE route_id = %s ORDER BY id LIMIT 5)",
        (routes[0].id,),
    )
    env.cr.commit()
    result["freeze"], lines = freeze(tomorrow)
    result["lines"] = lines
    result["print_run"] = tomorrow.print_run
    result["history_issues"], result["complaints"] = make_history(
        daily, routes, today_issue
    )
    # the slowest of each report's reads (each under the target)
    result["print_run_reports"], result["print_run_report_rows"] = print_run_reports(
        daily
    )
    result["complaint_statistics"], result["complaint_statistics_rows"] = (
        complaint_statistics(daily)
    )
    result["complaint_rate"] = complaint_rate(daily)
    weekly_issue = weekly.issue_ids.sorted("date")[:1]
    weekly_issue._freeze_distribution()
    env.cr.commit()
    result["labels_pdf"], (pdf, pages) = timed(
        lambda: render("publication_crm.action_report_issue_labels", weekly_issue)
    )
    result["labels_pages"], result["labels_mb"] = pages, round(len(pdf) / 1e6, 1)
    result["route_sheet_pdf"], (pdf, pages) = timed(
        lambda: render(
            "publication_crm.action_report_issue_route_sheet",
            tomorrow,
            {"route_ids": routes[:1].ids},
        )
    )
    result["route_sheet_pages"] = pages
    return write_results(result, check(result))


def check(result):
    problems = []
    if result["lines"] != TOTAL + 1:
        problems.append(f"{result['lines']} lines for {TOTAL} subscriptions + extras")
    if result["print_run"] != TOTAL + 5:
        problems.append(f"print run {result['print_run']}, not {TOTAL + 5}")
    if result["labels_pages"] != -(-LABELS // 24):
        problems.append(f"{result['labels_pages']} label pages for {LABELS} labels")
    if abs(result["complaint_rate"] - 1.0) > 0.05:
        problems.append(f"{result['complaint_rate']} complaints per 1,000 copies")
    for name, (target, size) in TARGETS.items():
        limit = max(MIN_TARGET, target * size)
        result[f"{name}_target"] = round(limit, 2)
        if result[name] > limit:
            problems.append(f"{name}: {result[name]} s, target {limit:.2f} s")
    return problems


sys.exit(main())
