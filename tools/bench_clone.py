"""Set-up shared by the benchmarks and the check of concurrent runs: a
publication with its offers, copies of one row made in SQL, and the benchmarks'
report of their figures.

Only the benchmarks' data is copied this way, so that setting up 100,000
subscriptions takes seconds; everything measured runs through the ORM.
"""

import json
import os

from odoo import Command, fields


def write_results(result, problems):
    """Write result with its problems to BENCH_OUT, print both; returns the
    benchmark's exit status (1 when a count is wrong or a target missed)."""
    result["problems"] = problems
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2))
    for problem in problems:
        print("FAILED:", problem)
    return 1 if problems else 0


def make_publication(env, name, code):
    """A publication with payment grace (subscriptions are active at once), a
    continuous quarterly offer at 30.00 and a fixed annual one at 120.00."""
    product = env["product.product"].create(
        {
            "name": f"{name} subscription",
            "type": "service",
            "taxes_id": [Command.clear()],
        }
    )
    publication = env["publication.publication"].create(
        {"name": name, "code": code, "product_id": product.id, "payment_grace_days": 30}
    )
    Plan = env["publication.subscription.plan"]
    continuous = Plan.create(
        {
            "name": "Quarterly, continuous",
            "publication_id": publication.id,
            "term_length": 3,
            "price": 30.0,
            "renewal_type": "continuous",
        }
    )
    fixed = Plan.create(
        {"name": "Annual", "publication_id": publication.id, "price": 120.0}
    )
    return publication, continuous, fixed


def clone_rows(cr, table, template_id, count, overrides, params=None):
    """Insert count copies of row template_id of table. overrides maps a column
    to an SQL expression of g (1..count) and of params; returns the new ids in
    the order of g."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        (table,),
    )
    columns = [row[0] for row in cr.fetchall()]
    values = [overrides.get(column, f't."{column}"') for column in columns]
    cr.execute(
        f"""INSERT INTO "{table}" ({", ".join(f'"{c}"' for c in columns)})
            SELECT {", ".join(values)}
              FROM "{table}" t, generate_series(1, %(count)s) g
             WHERE t.id = %(template_id)s
          ORDER BY g
         RETURNING id""",
        {**(params or {}), "count": count, "template_id": template_id},
    )
    return [row[0] for row in cr.fetchall()]


def template_subscription(env, publication, plan):
    """A confirmed subscription of plan starting today, to be cloned."""
    today = fields.Date.context_today(env.user)
    partner = env["res.partner"].create({"name": "Bench template reader"})
    subscription = env["publication.subscription"].create(
        {
            "recipient_id": partner.id,
            "publication_id": publication.id,
            "plan_id": plan.id,
            "date_start": today,
        }
    )
    subscription.action_confirm()
    env.flush_all()
    return subscription


def clone_subscriptions(
    env,
    template,
    partner_ids,
    end_sql,
    start_sql,
    reminded_sql="0",
    state="active",
    unpaid=False,
):
    """Subscriptions like template for partner_ids; end, start and reminder
    state as SQL expressions of g and of the date today. unpaid: their periods
    share the template's invoice, overdue by 8 to 37 days."""
    today = fields.Date.context_today(env.user)
    params = {"partners": partner_ids, "today": today}
    partner = "(%(partners)s::int[])[g]"
    ids = clone_rows(
        env.cr,
        "publication_subscription",
        template.id,
        len(partner_ids),
        {
            "name": "'BENCH/' || t.id || '/' || g",
            "recipient_id": partner,
            "payer_id": partner,
            "delivery_address_id": partner,
            "date_end": end_sql,
            "date_start": start_sql,
            "reminder_days_sent": reminded_sql,
            "access_token": "NULL",
            "state": "%(state)s",
        },
        {**params, "state": state},
    )
    period = template.period_ids
    clone_rows(
        env.cr,
        "publication_subscription_period",
        period.id,
        len(ids),
        {
            "subscription_id": "(%(subscriptions)s::int[])[g]",
            "recipient_id": partner,
            "payer_id": partner,
            "date_start": start_sql,
            "date_end": end_sql,
            **(
                {
                    "invoice_date_due": "%(today)s::date - 8 - g %% 30",
                    "payment_state": "'not_paid'",
                }
                if unpaid
                else {
                    "invoice_id": "NULL",
                    "invoice_line_id": "NULL",
                    "invoice_date_due": "NULL",
                    "payment_state": "'paid'",
                }
            ),
        },
        {**params, "subscriptions": ids},
    )
    return ids


def clone_partners(env, count, prefix):
    """count partners with a name and an e-mail address each."""
    template = env["res.partner"].create(
        {"name": f"{prefix} template", "email": "template@example.com"}
    )
    env.flush_all()
    ids = clone_rows(
        env.cr,
        "res_partner",
        template.id,
        count,
        {
            "name": f"'{prefix} ' || g",
            "complete_name": f"'{prefix} ' || g",
            "email": f"'{prefix.lower()}' || g || '@example.com'",
        },
    )
    env.cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (ids,)
    )
    env.invalidate_all()
    return ids
