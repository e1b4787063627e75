"""The entitlement look-up under load: the publisher's paywall asks, for each
page view, what a reader may read.

Run twice by tools/bench_entitlements:
  BENCH_STEP=setup  with `odoo shell` (which provides `env`): BENCH_SUBSCRIPTIONS
                    readers with an e-mail address and an active subscription
                    each (copied in SQL), an integration user of the group
                    Entitlement Look-ups with an API key; writes the key and
                    the readers' addresses to BENCH_READERS_FILE.
  plain python      BENCH_CLIENTS clients at once, each asking GET
                    /publication/api/v1/entitlements?email=... of readers
                    taken at random, for BENCH_SECONDS seconds, against the
                    Odoo served at BENCH_URL; checks each answer (the reader's
                    one entitlement); prints the look-ups per second, p50, p95
                    and errors, writes them to BENCH_OUT. Fails on an error or
                    a wrong answer; whether the targets (300 look-ups/s, p95
                    under 50 ms) are met is printed and written (it depends on
                    the machine).
"""

import json
import os
import random
import sys
import threading
import time
import urllib.request
from datetime import timedelta

RATE_TARGET = 300.0
P95_TARGET_MS = 50.0
SAMPLE = 5000  # readers the clients ask for


def setup(env):
    from bench_clone import (
        clone_partners,
        clone_subscriptions,
        make_publication,
        template_subscription,
    )

    from odoo import Command, fields

    count = int(os.environ["BENCH_SUBSCRIPTIONS"])
    publication, _continuous, fixed = make_publication(env, "Bench Daily", "BD")
    template = template_subscription(env, publication, fixed)
    partner_ids = clone_partners(env, count, "Reader")
    clone_subscriptions(
        env,
        template,
        partner_ids,
        "%(today)s::date + 100 + g %% 200",
        "(%(today)s::date - 30)",
    )
    env.cr.execute(
        "UPDATE res_partner SET email_normalized = email WHERE id = ANY(%s)",
        [partner_ids],
    )
    env.cr.execute("ANALYZE")
    user = env["res.users"].create(
        {
            "name": "Paywall",
            "login": "bench-paywall",
            "group_ids": [
                Command.set(
                    [env.ref("publication_crm.group_publication_entitlement").id]
                )
            ],
        }
    )
    key = (
        env["res.users.apikeys"]
        .with_user(user)
        ._generate("rpc", "Bench", fields.Datetime.now() + timedelta(days=1))
    )
    env.cr.commit()
    emails = [f"reader{n}@example.com" for n in range(1, count + 1)]
    random.seed(7)
    with open(os.environ["BENCH_READERS_FILE"], "w") as out:
        sample = random.sample(emails, min(SAMPLE, count))
        json.dump({"key": key, "emails": sample}, out)
    print(f"{count} readers, key written")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def load():
    with open(os.environ["BENCH_READERS_FILE"]) as readers:
        data = json.load(readers)
    url = os.environ["BENCH_URL"] + "/publication/api/v1/entitlements?email="
    headers = {"Authorization": f"Bearer {data['key']}"}
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    seconds = float(os.environ.get("BENCH_SECONDS", "30"))
    timings, errors, lock = [], [], threading.Lock()

    def ask(email):
        request = urllib.request.Request(url + email, headers=headers)
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.loads(response.read())
                status = response.status
        except Exception as error:  # noqa: BLE001 - counted and reported
            return time.monotonic() - start, f"{email}: {error}"
        elapsed = time.monotonic() - start
        terms = body.get("entitlements") or []
        if status != 200 or len(terms) != 1 or terms[0]["publication"]["code"] != "BD":
            return elapsed, f"{email}: {status} {body}"
        return elapsed, None

    for email in data["emails"][:20]:  # warm the workers' caches, unmeasured
        ask(email)

    def client(number):
        rng = random.Random(number)
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            elapsed, error = ask(rng.choice(data["emails"]))
            with lock:
                timings.append(elapsed)
                if error:
                    errors.append(error)

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - start
    rate = len(timings) / wall
    p50, p95 = percentile(timings, 0.5) * 1000, percentile(timings, 0.95) * 1000
    result = {
        "subscriptions": int(os.environ["BENCH_SUBSCRIPTIONS"]),
        "clients": clients,
        "seconds": round(wall, 1),
        "lookups": len(timings),
        "lookups_per_second": round(rate, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(timings) * 1000, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        "rate_target_met": rate >= RATE_TARGET,
        "p95_target_met": p95 < P95_TARGET_MS,
        "load_average": os.environ.get("BENCH_LOAD", ""),
    }
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2))
    if errors:
        print(f"FAILED: {len(errors)} errors or wrong answers")
        return 1
    return 0


if os.environ.get("BENCH_STEP") == "setup":
    setup(env)  # noqa: F821 - given by odoo shell
else:
    sys.exit(load())
