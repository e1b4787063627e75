"""Import of a register: a generated file of BENCH_LINES lines, checked by a
dry run, then imported through the batch runner.

Run by tools/bench_import with `odoo shell` (which provides `env`). Makes two
publications with an annual and a continuous quarterly offer, 20 routes by
postal code, and a CSV file of BENCH_LINES running subscriptions: 20 % of the
lines for subscribers sponsored (BENCH_LINES / 100 sponsors of 10 recipients)
or paying one subscription, 80 % for subscribers of both publications, so that
the file has 0.6 x BENCH_LINES distinct subscribers.
Times the dry run and the import; writes the figures to BENCH_OUT as JSON and
exits non-zero when a count is wrong or a target is missed (full size: dry run
2 minutes, import 10 minutes).
"""

import base64
import csv
import io
import os
import sys
import time
from datetime import timedelta

from bench_clone import make_publication, write_results

from odoo import fields

from odoo.addons.publication_crm.utils.register_rows import COLUMN_NAMES

env = env  # noqa: F821, PLW0127 - given by odoo shell
LINES = int(os.environ["BENCH_LINES"])
SPONSORS = LINES // 100
SPONSORED = SPONSORS * 10
SINGLE = LINES // 10  # subscribers with one subscription, paying themselves
TWICE = (LINES - SPONSORED - SINGLE) // 2  # subscribers of both publications
TARGETS = {"dry_run": 120.0 * LINES / 100000, "import": 600.0 * LINES / 100000}
today = fields.Date.context_today(env.user)


def setup():
    env["publication.route"].create(
        [
            {
                "name": f"Bench route {k:02d}",
                "code": f"BR{k:02d}",
                "delivery_method": "carrier" if k % 2 else "post",
                "zip_from": f"1{k:02d}000",
                "zip_to": f"1{k:02d}999",
            }
            for k in range(20)
        ]
    )
    first = make_publication(env, "Bench Monthly", "BM")
    second = make_publication(env, "Bench Weekly", "BW")
    env.cr.commit()
    return first, second


def line(n, person, publication, offer, payer=None):
    end = today + timedelta(days=1 + n % 360)
    term = 3 if offer.startswith("Quarterly") else 12
    start = end + timedelta(days=1) - timedelta(days=term * 30 + 365 * (n % 4))
    row = {
        "reference": f"B{person:06d}",
        "subscriber": f"Reader {person}",
        "street": f"{person} Bench Street",
        "zip": f"1{person % 20:02d}{person % 1000:03d}",
        "city": "Benchtown",
        "country": "US",
        "email": f"reader{person}@example.com" if person % 2 else "",
        "publication": publication,
        "offer": offer,
        "copies": 1 + n % 3 // 2,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "paid_until": end.isoformat(),
        "origin": "",
        "source": f"Campaign {n % 5}",
    }
    if payer is not None:
        row |= {
            "origin": "sponsored",
            "payer_reference": f"S{payer:04d}",
            "payer": f"Sponsor {payer}",
            "payer_email": f"sponsor{payer}@example.com",
        }
    return row


def make_file():
    rows, n = [], 0
    offers = ("Annual", "Quarterly, continuous")
    for k in range(SPONSORED):
        rows.append(line(n, k, "BM", "Annual", payer=k % SPONSORS))
        n += 1
    for k in range(SPONSORED, SPONSORED + SINGLE):
        rows.append(line(n, k, "BW", offers[k % 2]))
        n += 1
    for k in range(SPONSORED + SINGLE, SPONSORED + SINGLE + TWICE):
        for publication in ("BM", "BW"):
            rows.append(line(n, k, publication, offers[n % 2]))
            n += 1
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(), len(rows), SPONSORED + SINGLE + TWICE


def timed(function):
    start = time.monotonic()
    function()
    env.cr.commit()
    return round(time.monotonic() - start, 1)


def main():
    setup()
    content, lines, subscribers = make_file()
    with open(os.path.join(os.environ["BENCH_WORK"], "bench-import.csv"), "wb") as f:
        f.write(content)
    record = env["publication.register.import"].create(
        {"file": base64.b64encode(content), "file_name": "bench.csv"}
    )
    env.cr.commit()
    partners_before = env["res.partner"].search_count([])
    result = {"lines": lines, "subscribers": subscribers, "sponsors": SPONSORS}
    result["dry_run"] = timed(record.action_dry_run)
    result["lines_with_problems"] = record.error_count

    def run():
        record.action_import()
        while not record._run_batches():
            pass

    result["import"] = timed(run)
    result["subscriptions_per_s"] = round(lines / result["import"], 1)
    imported = env["publication.subscription"].search([("import_ref", "!=", False)])
    result["imported"] = len(imported)
    result["active"] = len(imported.filtered(lambda s: s.state == "active"))
    result["partners_created"] = env["res.partner"].search_count([]) - partners_before
    again = env["publication.register.import"].create(
        {"file": base64.b64encode(content), "file_name": "again.csv"}
    )
    result["again_dry_run"] = timed(again.action_dry_run)
    result["again_lines_with_problems"] = again.error_count
    return write_results(result, check(result))


def check(result):
    problems = []
    if result["imported"] != result["lines"] or result["active"] != result["lines"]:
        problems.append(f"{result['imported']} imported of {result['lines']}")
    if result["lines_with_problems"] or result["again_lines_with_problems"]:
        problems.append("the generated file has lines with problems")
    expected = result["subscribers"] + result["sponsors"]
    if result["partners_created"] != expected:
        problems.append(f"{result['partners_created']} partners, not {expected}")
    for name, target in TARGETS.items():
        limit = max(target, 5.0)
        result[f"{name}_target"] = round(limit, 1)
        if result[name] > limit:
            problems.append(f"{name}: {result[name]} s, target {limit:.1f} s")
    return problems


sys.exit(main())
