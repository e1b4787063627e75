"""OCA contract's recurring invoicing on as many contracts as publication_crm
renews: one partner, one line, a quarter of 30.00 each, due today.

Run by tools/bench with `odoo shell` in a database with OCA `contract`; writes
the figures to BENCH_OUT as JSON.
"""

import json
import os
import time

from bench_clone import clone_partners, clone_rows

from odoo import Command, fields

env = env  # noqa: F821, PLW0127 - given by odoo shell
COUNT = int(os.environ["BENCH_DUE"])
today = fields.Date.context_today(env.user)

product = env["product.product"].create(
    {"name": "Bench subscription", "type": "service", "taxes_id": [Command.clear()]}
)
partner_ids = clone_partners(env, COUNT, "Reader")
template = env["contract.contract"].create(
    {
        "name": "Bench subscription",
        "partner_id": partner_ids[0],
        "line_recurrence": False,
        "recurring_rule_type": "monthly",
        "recurring_interval": 3,
        "date_start": today,
        "contract_line_ids": [
            Command.create(
                {
                    "product_id": product.id,
                    "name": "Quarterly subscription",
                    "quantity": 1,
                    "price_unit": 30.0,
                }
            )
        ],
    }
)
env.flush_all()
assert template.recurring_next_date == today, template.recurring_next_date
params = {"partners": partner_ids[1:]}
partner = "(%(partners)s::int[])[g]"
contract_ids = clone_rows(
    env.cr,
    "contract_contract",
    template.id,
    COUNT - 1,
    {
        "name": "'Bench subscription ' || g",
        "partner_id": partner,
        "invoice_partner_id": partner,
        "commercial_partner_id": partner,
        "access_token": "NULL",
    },
    params,
)
clone_rows(
    env.cr,
    "contract_line",
    template.contract_line_ids.id,
    COUNT - 1,
    {"contract_id": "(%(contracts)s::int[])[g]", "partner_id": partner},
    {**params, "contracts": contract_ids},
)
env.cr.execute("ANALYZE")
env.cr.commit()
env.invalidate_all()

Move = env["account.move"]
moves_before = Move.search_count([])
queries = env.cr.sql_log_count
start = time.monotonic()
env["contract.contract"].cron_recurring_create_invoice()
env.cr.commit()
seconds = time.monotonic() - start
invoices = Move.search_count([]) - moves_before
result = {
    "contracts": env["contract.contract"].search_count([]),
    "invoices": invoices,
    "posted": Move.search_count([("state", "=", "posted")]),
    "seconds": round(seconds, 1),
    "invoices_per_second": round(invoices / seconds, 1),
    "queries_per_invoice": round((env.cr.sql_log_count - queries) / invoices, 1),
}
with open(os.environ["BENCH_OUT"], "w") as out:
    json.dump(result, out, indent=2)
print(json.dumps(result, indent=2))
