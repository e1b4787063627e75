"""Compare the two benchmark runs, print the figures and check the results."""

import json
import sys

ours_file, oca_file, out_file = sys.argv[1:4]
with open(ours_file) as f:
    ours = json.load(f)
with open(oca_file) as f:
    oca = json.load(f)
report = {"publication_crm": ours, "oca_contract": oca}
if oca:  # empty: not compared (OCA_RESULTS=none)
    ratio = ours["renewal_invoices_per_second"] / oca["invoices_per_second"]
    ratio_posted = (
        ours["renewal_invoices_per_second"] / oca["posted_invoices_per_second"]
    )
    report.update(ratio=round(ratio, 2), ratio_posted=round(ratio_posted, 2))
with open(out_file, "w") as out:
    json.dump(report, out, indent=2)

print(
    f"publication_crm nightly run: {ours['subscriptions']} subscriptions, "
    f"{ours['due']} due, "
    + (f"{ours['workers']} queue job workers" if ours.get("workers") else "in-process")
)
for cron, seconds in ours["seconds"].items():
    queries = ours["queries"][cron]
    print(f"  {cron:26} {seconds:8.1f} s  {queries:8d} queries (scheduled action)")
print(f"  {'whole run':26} {ours['total_seconds']:8.1f} s")
for cron, stats in ours.get("jobs", {}).items():
    print(
        f"  {cron:26} {stats['jobs']:5d} jobs, {stats['mean_seconds']} s each "
        f"(longest {stats['max_seconds']} s), {stats['retries']} retries"
    )
print(f"  events: {ours['events']}")
print(
    f"  renewal invoices: {ours['invoices']} posted, "
    f"{ours['renewal_invoices_per_second']} per second, "
    f"{ours['queries_per_renewal']} queries per renewal"
)
if "cards" in ours:
    cards, debits = ours["cards"], ours["direct_debits"]
    print(
        f"  saved cards: {cards['card_payers']} payers due, {cards['done']} charges "
        f"done, {cards['failed']} refused ({cards['to_retry']} to retry), "
        f"{cards['charged_once']} charged exactly once"
    )
    print(
        f"  direct debits: {debits['debits']} in {debits['orders']} draft orders "
        f"for {debits['mandate_payers']} mandate payers due"
    )
if oca:
    print(
        f"OCA contract: {oca['invoices']} draft invoices in {oca['seconds']} s, "
        f"{oca['invoices_per_second']} per second, {oca['queries_per_invoice']} "
        f"queries per invoice; posted as well: {oca['posted_invoices_per_second']} "
        "per second"
    )
    print(
        f"ratio of invoices per second: {ratio:.2f} "
        f"(against posted ones: {ratio_posted:.2f})"
    )
failures = []
if ours["invoices"] != ours["due"]:
    failures.append(
        f"{ours['due']} subscriptions were due, {ours['invoices']} invoiced"
    )
if ours["events"].get("renewal") != ours["due"]:
    failures.append(
        f"renewal events: {ours['events'].get('renewal')} for {ours['due']} due"
    )
if oca and oca["invoices"] != ours["due"]:
    failures.append(
        f"OCA contract made {oca['invoices']} invoices for {ours['due']} due"
    )
# every scheduled action had work (bench_renewals.py seeds it)
for kind in ("reminder", "renewal", "expiry", "winback", "dunning"):
    if not ours["events"].get(kind):
        failures.append(f"no {kind} event: that scheduled action did nothing")
if ours.get("failed_jobs"):
    failures.append(f"{ours['failed_jobs']} queue jobs failed")
for failure in failures:
    print("FAILED:", failure)
sys.exit(1 if failures else 0)
