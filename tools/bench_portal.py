"""A campaign day on the portal: readers renew and pay at the same moment.

Run three times by tools/bench_portal:
  BENCH_STEP=setup  with `odoo shell` (which provides `env`): BENCH_SUBSCRIPTIONS
                    subscriptions of a weekly, each of its own reader, whose
                    renewal is on offer (their current year has begun, nothing
                    is owed); the first BENCH_READERS readers become portal
                    users; the demo payment provider is enabled. Writes the
                    readers to BENCH_READERS_FILE.
  plain python      the readers against the Odoo served at BENCH_URL: each logs
                    in, then all at once open /my/subscriptions, their
                    subscription and its renewal page, renew, open the
                    invoice and pay it with the demo provider. Writes every
                    request's kind, status and seconds to BENCH_TIMINGS.
  BENCH_STEP=check  with `odoo shell`: each reader's subscription renewed
                    exactly once, every renewal invoice paid, nothing else
                    renewed, no 5xx, no WARNING or ERROR line in the server's
                    log (BENCH_SERVER_LOG); prints the figures per kind of page
                    (pages per second, p50 and p95) and writes them to
                    BENCH_OUT (with whether each p95 target is met). Fails
                    when a count is wrong, on a 5xx or a logged WARNING.
"""

import collections
import json
import math
import os
import random
import re
import sys
import threading
import time

# the kinds of request, in the order a reader makes them, and the p95 target
# of each in seconds: a page under 1 s, a renewal (and paying it) under 2 s
KINDS = {
    "login": None,  # before the readers start at once: not timed against a target
    "list": 1.0,  # GET /my/subscriptions
    "subscription": 1.0,  # GET /my/subscriptions/<id>
    "renew page": 1.0,  # GET /publication/renew/<id>
    "renew": 2.0,  # POST /publication/renew/<id>: the renewal and its invoice
    "invoice": 1.0,  # GET /my/invoices/<id>, where the reader pays
    "pay": 2.0,  # the four requests of paying, together (below)
    "pay: transaction": 1.0,  # POST /invoice/transaction/<id>
    "pay: demo provider": 1.0,  # POST /payment/demo/simulate_payment
    "pay: status page": 1.0,  # GET /payment/status
    "pay: status poll": 1.0,  # POST /payment/status/poll: the payment is posted
}
PASSWORD = "campaign-day-reader"
WARM_UP = 4  # readers before the others, unmeasured (see warm_up)
TIMEOUT = 120  # seconds of one request
THINK = float(os.environ.get("BENCH_THINK") or 0)
# Connections open at once, as a reverse proxy in front of Odoo would allow:
# Odoo's listen queue (8 per worker, 2 workers). Bare, 50 readers connecting at
# the same instant overflow it: the kernel drops handshakes (retried after 1,
# 3, 7... s) or resets them (SYN cookies), and a reader loses a request.
CONNECTIONS = 16


class Gate:
    """At most size requests at once, served in their order of arrival as in
    a proxy's queue (with a semaphore, a reader who just got an answer would
    cut in before those waiting)."""

    def __init__(self, size):
        self.lock = threading.Lock()
        self.free = size
        self.waiting = collections.deque()

    def __enter__(self):
        with self.lock:
            if self.free and not self.waiting:
                self.free -= 1
                return
            turn = threading.Event()
            self.waiting.append(turn)
        turn.wait()

    def __exit__(self, *_exc):
        with self.lock:
            if self.waiting:
                self.waiting.popleft().set()  # the connection goes to the next
            else:
                self.free += 1


GATE = Gate(CONNECTIONS)
# the CSRF token of a form, or the one a page gives its scripts
CSRF = re.compile(r'csrf_token(?:" value=|: )"([^"]*)"')


# ----------------------------------------------------------------------
# The readers (plain python, over HTTP)
# ----------------------------------------------------------------------
class Reader:
    """One reader's browser: a session and the timings of its requests."""

    def __init__(self, base_url, login, subscription_id, timings):
        import requests

        self.base_url = base_url
        self.login = login
        self.subscription_id = subscription_id
        self.session = requests.Session()
        self.timings = timings

    def request(self, kind, method, url, expect=200, **kwargs):
        start = time.monotonic()  # the wait for a connection counts
        with GATE:
            response = self.session.request(
                method,
                url if url.startswith("http") else self.base_url + url,
                timeout=TIMEOUT,
                allow_redirects=False,
                **kwargs,
            )
        seconds = time.monotonic() - start
        self.timings.append((kind, response.status_code, seconds, start))
        if response.status_code != expect:
            raise RuntimeError(
                f"{kind}: {method} {url} answered {response.status_code}, "
                f"not {expect}: {response.text[:300]!r}"
            )
        return response

    def rpc(self, kind, url, params):
        answer = self.request(
            kind,
            "POST",
            url,
            json={"jsonrpc": "2.0", "method": "call", "params": params, "id": 1},
        ).json()
        if "error" in answer:
            message = answer["error"].get("data", {}).get("message")
            raise RuntimeError(f"{kind}: {url} answered {message or answer['error']}")
        return answer.get("result")  # none when the route returns None

    def log_in(self):
        page = self.request("login", "GET", "/web/login")
        self.request(
            "login",
            "POST",
            "/web/login",
            expect=303,
            data={
                "login": self.login,
                "password": PASSWORD,
                "csrf_token": CSRF.search(page.text).group(1),
                "redirect": "/my",
            },
        )

    def renew_and_pay(self):
        mine = f"/my/subscriptions/{self.subscription_id}"
        if mine not in self.request("list", "GET", "/my/subscriptions").text:
            raise RuntimeError(f"{mine} is not listed in /my/subscriptions")
        think()
        if "Renew and pay" not in self.request("subscription", "GET", mine).text:
            raise RuntimeError(f"{mine} offers no renewal")
        renew_url = f"/publication/renew/{self.subscription_id}"
        think()
        form = self.request("renew page", "GET", renew_url).text
        think()
        invoice_url = self.request(
            "renew",
            "POST",
            renew_url,
            expect=303,
            data={"csrf_token": CSRF.search(form).group(1), "access_token": ""},
        ).headers["Location"]
        if "/my/invoices/" not in invoice_url:
            raise RuntimeError(f"the renewal led to {invoice_url}, not an invoice")
        invoice_page = self.request("invoice", "GET", invoice_url).text
        think()
        self.pay(invoice_page)

    def pay(self, invoice_page):
        """Pay with the demo provider, as its payment form does in a browser."""
        start = time.monotonic()
        form = payment_form(invoice_page)
        processing = self.rpc(
            "pay: transaction",
            form["transaction-route"],
            {
                "provider_id": int(form["provider-id"]),
                "payment_method_id": int(form["payment-option-id"]),
                "token_id": None,
                "amount": float(form["amount"]),
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": form["landing-route"],
                "is_validation": False,
                "access_token": form["access-token"],
                "csrf_token": CSRF.search(invoice_page).group(1),
            },
        )
        self.rpc(
            "pay: demo provider",
            "/payment/demo/simulate_payment",
            {
                "reference": processing["reference"],
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        self.request("pay: status page", "GET", "/payment/status")
        for _attempt in range(10):  # as the status page polls
            try:
                status = self.rpc("pay: status poll", "/payment/status/poll", {})
            except RuntimeError as error:
                if "retry" not in str(error):
                    raise
                time.sleep(0.5)
                continue
            if status["state"] == "done":
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("the payment was not done after 10 polls")
        self.timings.append(("pay", 200, time.monotonic() - start, start))


def think():
    """A reader's pause before the next click: BENCH_THINK seconds on average."""
    if THINK:
        time.sleep(random.uniform(0, 2 * THINK))


def payment_form(page):
    """The payment form's data attributes and those of its demo option."""
    form = re.search(r'<form[^>]*id="o_payment_form"[^>]*>', page, re.DOTALL)
    option = re.search(r'<input[^>]*data-provider-code="demo"[^>]*>', page, re.DOTALL)
    if not (form and option):
        raise RuntimeError("the invoice page has no payment form of the demo provider")
    attributes = re.compile(r'data-([a-z-]+)="([^"]*)"')
    values = dict(attributes.findall(form.group(0)))
    values.update(attributes.findall(option.group(0)))
    values = {key: value.replace("&amp;", "&") for key, value in values.items()}
    return values


def warm_up(base_url, readers, failures):
    """Readers one after the other, unmeasured: each worker has loaded the
    templates and the code of every page once, as on a day after its first
    visitors."""
    for warm in readers:
        try:
            reader = Reader(base_url, warm["login"], warm["subscription_id"], [])
            reader.log_in()
            reader.renew_and_pay()
        except Exception as error:  # noqa: BLE001 - every failure is reported
            failures.append(f"{warm['login']} (warm-up): {error}")


def run_readers():
    with open(os.environ["BENCH_READERS_FILE"]) as readers_file:
        setup_done = json.load(readers_file)
    readers = setup_done["readers"]
    timings, failures = [], []
    warm_up(os.environ["BENCH_URL"], setup_done["warm_up"], failures)
    lock = threading.Lock()
    at_once = threading.Barrier(len(readers), timeout=600)

    def read(login, subscription_id):
        mine = []
        reader = Reader(os.environ["BENCH_URL"], login, subscription_id, mine)
        try:
            reader.log_in()
            at_once.wait()
            reader.renew_and_pay()
        except Exception as error:  # noqa: BLE001 - every failure is reported
            failures.append(f"{login}: {error}")
            if not at_once.broken:
                at_once.abort()
        with lock:
            timings.extend(mine)

    threads = [
        threading.Thread(
            target=read, args=(r["login"], r["subscription_id"]), daemon=True
        )
        for r in readers
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 1800
    for thread in threads:
        thread.join(max(0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        failures.append("readers still waiting after 30 minutes")
    with open(os.environ["BENCH_TIMINGS"], "w") as out:
        json.dump({"timings": timings, "failures": failures}, out)
    print(f"{len(timings)} requests, {len(failures)} failures")
    return 0


# ----------------------------------------------------------------------
# Set-up and check (odoo shell)
# ----------------------------------------------------------------------
def setup(env):
    from bench_clone import (
        clone_partners,
        clone_subscriptions,
        make_publication,
        template_subscription,
    )

    from odoo import Command

    count = int(os.environ.get("BENCH_SUBSCRIPTIONS", "100000"))
    readers = int(os.environ.get("BENCH_READERS", "50"))
    publication, _continuous, annual = make_publication(env, "Campaign Weekly", "CW")
    template = template_subscription(env, publication, annual)
    start = "(%(today)s::date - (g %% 360) * interval '1 day')"
    subscription_ids = clone_subscriptions(
        env,
        template,
        clone_partners(env, count, "Reader"),
        f"({start} + interval '1 year' - interval '1 day')::date",
        f"{start}::date",
    )
    env.invalidate_all()
    subscriptions = env["publication.subscription"].browse(
        subscription_ids[: readers + WARM_UP]
    )
    env["res.users"].with_context(no_reset_password=True).create(
        [
            {
                "name": subscription.payer_id.name,
                "login": subscription.payer_id.email,
                "password": PASSWORD,
                "partner_id": subscription.payer_id.id,
                "group_ids": [Command.set(env.ref("base.group_portal").ids)],
            }
            for subscription in subscriptions
        ]
    )
    not_offered = subscriptions.filtered(lambda s: s._online_offer() != "renewal")
    if not_offered:
        raise RuntimeError(f"no renewal on offer to {not_offered.mapped('name')}")
    provider = env["payment.provider"].search(
        [("code", "=", "demo"), ("company_id", "=", env.company.id)], limit=1
    )
    provider.write({"state": "test", "is_published": True})
    env.cr.execute("ANALYZE")
    env.cr.commit()
    with open(os.environ["BENCH_READERS_FILE"], "w") as out:
        json.dump(
            {
                "subscriptions": count,
                "publication_id": publication.id,
                "warm_up": [as_reader(s) for s in subscriptions[:WARM_UP]],
                "readers": [as_reader(s) for s in subscriptions[WARM_UP:]],
            },
            out,
        )
    print(f"{count} subscriptions, {readers} readers")
    return 0


def as_reader(subscription):
    return {"login": subscription.payer_id.email, "subscription_id": subscription.id}


def percentile(values, fraction):
    """The nearest-rank percentile of values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(timings, served):
    """Per kind of request: how many, p50 and p95 seconds, target met; the
    p50 of the seconds and queries of the server (the rest is waiting for a
    worker)."""
    rows = {}
    for kind, target in KINDS.items():
        seconds = [t[2] for t in timings if t[0] == kind]
        if not seconds:
            continue
        p95 = percentile(seconds, 0.95)
        rows[kind] = {
            "requests": len(seconds),
            "p50": round(percentile(seconds, 0.5), 3),
            "p95": round(p95, 3),
            "target_p95": target,
            "met": None if target is None else p95 < target,
        }
        if served.get(kind):
            rows[kind]["server_p50"] = round(
                percentile([s for s, _q in served[kind]], 0.5), 3
            )
            rows[kind]["queries_p50"] = percentile([q for _s, q in served[kind]], 0.5)
    return rows


# the server's log line of each request: its kind, queries and seconds
SERVED = re.compile(
    r'werkzeug: .*"(GET|POST) ([^ ?]+)[^"]*" \d+ - (\d+) ([\d.]+) ([\d.]+)'
)
PATHS = (
    ("GET", re.compile(r"/my/subscriptions$"), "list"),
    ("GET", re.compile(r"/my/subscriptions/\d+$"), "subscription"),
    ("GET", re.compile(r"/publication/renew/\d+$"), "renew page"),
    ("POST", re.compile(r"/publication/renew/\d+$"), "renew"),
    ("GET", re.compile(r"/my/invoices/\d+$"), "invoice"),
    ("POST", re.compile(r"/invoice/transaction/\d+$"), "pay: transaction"),
    ("POST", re.compile(r"/payment/demo/simulate_payment$"), "pay: demo provider"),
    ("GET", re.compile(r"/payment/status$"), "pay: status page"),
    ("POST", re.compile(r"/payment/status/poll$"), "pay: status poll"),
)


def served_requests(lines, warm_up):
    """(seconds, queries) of each kind of request in the server's log, but
    the first warm_up of each (the warm-up's, which come first)."""
    served = {}
    for line in lines:
        match = SERVED.search(line)
        if not match:
            continue
        method, path, queries, query_seconds, other_seconds = match.groups()
        for kind_method, pattern, kind in PATHS:
            if method == kind_method and pattern.match(path):
                seconds = float(query_seconds) + float(other_seconds)
                served.setdefault(kind, []).append((seconds, int(queries)))
    return {kind: requests[warm_up:] for kind, requests in served.items()}


def server_log_problems(lines):
    """Lines at WARNING or above and 5xx answers in the server's log."""
    bad = re.compile(
        r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (WARNING|ERROR|CRITICAL) |^Traceback"
    )
    server_error = re.compile(r'HTTP/[\d.]+" 5\d\d ')
    return (
        [line.rstrip() for line in lines if bad.search(line)],
        [line.rstrip() for line in lines if server_error.search(line)],
    )


def check(env):
    from bench_clone import write_results

    with open(os.environ["BENCH_READERS_FILE"]) as readers_file:
        setup_done = json.load(readers_file)
    with open(os.environ["BENCH_TIMINGS"]) as timings_file:
        run = json.load(timings_file)
    problems = list(run["failures"])
    readers = setup_done["warm_up"] + setup_done["readers"]
    ids = [r["subscription_id"] for r in readers]
    subscriptions = env["publication.subscription"].browse(ids)
    renewals = env["publication.renewal.event"].search(
        [
            ("kind", "=", "renewal"),
            ("subscription_id.publication_id", "=", setup_done["publication_id"]),
        ]
    )
    per_subscription = {s.id: 0 for s in subscriptions}
    for event in renewals:
        if event.subscription_id.id not in per_subscription:
            problems.append(f"{event.subscription_id.name} was renewed: not a reader's")
            continue
        per_subscription[event.subscription_id.id] += 1
    twice = [n for n in per_subscription.values() if n > 1]
    never = [n for n in per_subscription.values() if not n]
    if twice or never:
        problems.append(f"{len(never)} readers not renewed, {len(twice)} renewed twice")
    invoices = renewals.invoice_id
    unpaid = invoices.filtered(lambda i: i.payment_state not in ("paid", "in_payment"))
    if len(invoices) != len(renewals) or unpaid:
        problems.append(
            f"{len(renewals)} renewals, {len(invoices)} invoices, {len(unpaid)} unpaid"
        )
    periods = sorted(len(s.period_ids) for s in subscriptions)
    if set(periods) != {2}:
        problems.append(f"periods of the readers' subscriptions: {periods}")
    timings = run["timings"]
    server_errors = [t for t in timings if t[1] >= 500]
    with open(os.environ["BENCH_SERVER_LOG"]) as log:
        lines = log.readlines()
    bad_lines, server_error_lines = server_log_problems(lines)
    answers_5xx = max(len(server_errors), len(server_error_lines))
    if answers_5xx:
        problems.append(f"{answers_5xx} 5xx answers")
    if bad_lines:
        problems.append(f"{len(bad_lines)} WARNING or ERROR lines in the server's log")
    campaign = [t for t in timings if t[0] not in ("login", "pay")]
    wall = max(t[3] + t[2] for t in campaign) - min(t[3] for t in campaign)
    rows = figures(timings, served_requests(lines, len(setup_done["warm_up"])))
    missed = [kind for kind, row in rows.items() if row["met"] is False]
    result = {
        "subscriptions": setup_done["subscriptions"],
        "readers": len(setup_done["readers"]),
        "warm_up_readers": len(setup_done["warm_up"]),
        "renewed_once": sum(1 for n in per_subscription.values() if n == 1),
        "invoices_paid": len(invoices) - len(unpaid),
        "requests": len(campaign),
        "seconds": round(wall, 1),
        "pages_per_second": round(len(campaign) / wall, 1),
        "kinds": rows,
        "targets_met": not missed,
        "think_seconds": THINK,
        "connections": CONNECTIONS,
        "load_average": os.environ.get("BENCH_LOAD", ""),
    }
    print_table(result)
    for line in bad_lines[:20]:
        print("server log:", line)
    return write_results(result, problems)


def print_table(result):
    print(
        f"A campaign day: {result['readers']} readers at once among "
        f"{result['subscriptions']} subscriptions, {result['requests']} requests in "
        f"{result['seconds']} s: {result['pages_per_second']} pages per second"
    )
    print(
        f"  {'kind':20} {'requests':>8} {'p50 s':>7} {'p95 s':>7} "
        f"{'server s':>8} {'queries':>7}  target p95"
    )
    for kind, row in result["kinds"].items():
        target = row["target_p95"]
        verdict = ""
        if target is not None:
            verdict = f"< {target} s: {'met' if row['met'] else 'MISSED'}"
        served = ""
        if "server_p50" in row:
            served = f"{row['server_p50']:8.3f} {row['queries_p50']:7d}"
        print(
            f"  {kind:20} {row['requests']:8d} {row['p50']:7.3f} {row['p95']:7.3f} "
            f"{served:16}  {verdict}"
        )
    print(
        f"  renewed exactly once: {result['renewed_once']}, invoices paid: "
        f"{result['invoices_paid']} (with the {result['warm_up_readers']} readers "
        "of the warm-up)"
    )


if "env" in globals():  # odoo shell
    STEPS = {"setup": setup, "check": check}
    sys.exit(STEPS[os.environ["BENCH_STEP"]](env))  # noqa: F821 - given by odoo shell
sys.exit(run_readers())
