"""Counting the ready-made segments over many subscriptions.

Run by tools/bench_segments with `odoo shell` (which provides `env`). Makes a
publication with BENCH_SUBSCRIPTIONS subscriptions copied in SQL (one reader
each; every 10th expired, every 3rd continuous, every 50th active one sponsored
by one of 100 sponsors, ends spread over 400 days around today, tenures of 1
to 5 years), marks 1 % of the readers key accounts, then times the live count of
each ready-made segment (the slowest of three) and compares it with the count
made in SQL.

Writes the figures to BENCH_OUT as JSON; exits non-zero when a count is wrong
or takes TARGET seconds or more.
"""

import os
import sys
import time

from bench_clone import clone_partners, clone_rows, make_publication, write_results

env = env  # noqa: F821, PLW0127 - given by odoo shell
TOTAL = int(os.environ["BENCH_SUBSCRIPTIONS"])
SPONSORS = 100
TARGET = 1.0  # seconds per count
SEGMENTS = {
    "segment_ending_next_month": """
        SELECT COUNT(*) FROM publication_subscription
         WHERE state IN ('active', 'suspended')
           AND date_end >= date_trunc('month', %(today)s::date) + interval '1 month'
           AND date_end < date_trunc('month', %(today)s::date) + interval '2 month'""",
    "segment_expired_90_days": """
        SELECT COUNT(*) FROM publication_subscription
         WHERE state = 'expired' AND date_end >= %(today)s::date - 90""",
    "segment_fixed_two_years": """
        SELECT COUNT(*) FROM publication_subscription
         WHERE state IN ('active', 'suspended') AND renewal_type = 'fixed'
           AND tenure_months >= 24""",
    "segment_sponsors": """
        SELECT COUNT(DISTINCT payer_id) FROM publication_subscription
         WHERE origin = 'sponsored'
           AND state IN ('waiting', 'active', 'suspended')""",
    "segment_key_accounts": """
        SELECT COUNT(*) FROM res_partner
         WHERE publication_key_account AND active""",
}


def populate(today):
    publication, _continuous, fixed = make_publication(env, "Bench Segments", "BS")
    partners = clone_partners(env, TOTAL, "Reader")
    sponsors = clone_partners(env, SPONSORS, "Sponsor")
    template = env["publication.subscription"].create(
        {
            "recipient_id": partners[0],
            "publication_id": publication.id,
            "plan_id": fixed.id,
        }
    )
    env.flush_all()
    end = "(%(today)s::date + (g %% 400 - 200))"
    years = "(1 + g %% 5)"
    reader = "(%(partners)s::int[])[g]"
    payer = (
        f"CASE WHEN g %% 50 = 1 THEN (%(sponsors)s::int[])[1 + g / 50 %% {SPONSORS}] "
        f"ELSE {reader} END"
    )
    clone_rows(
        env.cr,
        "publication_subscription",
        template.id,
        TOTAL - 1,
        {
            "name": "'BENCH/' || g",
            "recipient_id": reader,
            "payer_id": payer,
            "delivery_address_id": reader,
            "origin": "CASE WHEN g %% 50 = 1 THEN 'sponsored' ELSE 'new' END",
            "is_gift": "g %% 50 = 1",
            "renewal_type": "CASE WHEN g %% 3 = 0 THEN 'continuous' ELSE 'fixed' END",
            "state": "CASE WHEN g %% 10 = 0 THEN 'expired' ELSE 'active' END",
            "date_end": end,
            "date_start": f"({end} + 1 - make_interval(years => {years}))::date",
            "date_end_month": f"to_char({end}, 'YYYY-MM')",
            "tenure_months": f"12 * {years}",
            "access_token": "NULL",
        },
        {
            "partners": partners[1:] + [partners[0]],
            "sponsors": sponsors,
            "today": today,
        },
    )
    env.cr.execute(
        "UPDATE res_partner SET publication_key_account = TRUE "
        "WHERE id = ANY(%s) AND id %% 100 = 0",
        (partners,),
    )
    env.cr.execute("ANALYZE publication_subscription")
    env.cr.execute("ANALYZE res_partner")
    env.cr.commit()
    env.invalidate_all()


def count(segment):
    """The slowest of three live counts, as the segment's form shows it."""
    times = []
    for _run in range(3):
        segment.invalidate_recordset(["record_count"])
        start = time.perf_counter()
        value = segment.record_count
        times.append(time.perf_counter() - start)
    return round(max(times), 3), value


def main():
    today = env.company._publication_today()
    start = time.perf_counter()
    populate(today)
    result = {"subscriptions": TOTAL, "setup": round(time.perf_counter() - start, 1)}
    problems = []
    for xmlid, sql in SEGMENTS.items():
        segment = env.ref(f"publication_crm.{xmlid}")
        seconds, value = count(segment)
        env.cr.execute(sql, {"today": today})
        expected = env.cr.fetchone()[0]
        result[xmlid] = {"seconds": seconds, "count": value}
        if value != expected:
            problems.append(f"{xmlid}: counted {value}, SQL says {expected}")
        if seconds >= TARGET:
            problems.append(f"{xmlid}: {seconds} s, target {TARGET} s")
    return write_results(result, problems)


sys.exit(main())
