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
from odoo.tools import split_every

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
cron_queries = env.cr.sql_log_count - queries
# OCA contract leaves its invoices in draft; publication_crm posts them (payment
# drives delivery): posting them too gives the comparable figure
drafts = Move.search([("state", "=", "draft"), ("move_type", "=", "out_invoice")])
post_start = time.monotonic()
for batch in split_every(200, drafts.ids, Move.browse):
    batch.action_post()
    env.cr.commit()
post_seconds = time.monotonic() - post_start
result = {
    "contracts": env["contract.contract"].search_count([]),
    "invoices": invoices,
    "posted_by_cron": 0,
    "seconds": round(seconds, 1),
    "invoices_per_second": round(invoices / seconds, 1),
    "queries_per_invoice": round(cron_queries / invoices, 1),
    "post_seconds": round(post_seconds, 1),
    "posted_invoices_per_second": round(invoices / (seconds + post_seconds), 1),
}
with open(os.environ["BENCH_OUT"], "w") as out:
    json.dump(result, out, indent=2)
print(json.dumps(result, indent=2))
