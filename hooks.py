"""Hooks of the add-on: the demo history after an install with demo data, the
materialized views dropped on uninstall."""

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.tools import drop_view_if_exists

from .models.publication_automation.publication_automation import ANALYTICS_VIEWS
from .models.publication_subscription.publication_subscription import OPEN_STATES

DEMO_PLANS = ("publication_crm.plan_pm_annual", "publication_crm.plan_pm_continuous")


def post_init_hook(env):
    """Installed with demo data: two years of readers of the Parish Messenger,
    then the analytics (once; an upgrade does not run it again)."""
    plans = [env.ref(xmlid, raise_if_not_found=False) for xmlid in DEMO_PLANS]
    if not all(plans):
        return  # installed without demo data
    # as the demo data is loaded: no assignment notifications
    demo_env = env(context=dict(env.context, install_mode=True, install_demo=True))
    create_demo_history(demo_env, [plan.id for plan in plans])
    # the demo's subscriptions were confirmed long ago: the scheduled action of
    # confirmations must not mail them (with an invoice PDF each) now
    demo_env["publication.subscription"].search(
        [("confirmation_pending", "=", True)]
    )._write_state({"confirmation_pending": False})


def uninstall_hook(env):
    """Drop the materialized views: Odoo's uninstall drops only tables and
    plain views (it leaves a materialized view to CASCADE, when nothing
    else drops it first, with a warning)."""
    for model in reversed(ANALYTICS_VIEWS):
        drop_view_if_exists(env.cr, env[model]._table)


def create_demo_history(env, plan_ids, readers=30, seed=13):
    """Two years of history for new demo readers of the offers plan_ids
    (of publications with payment grace): renewals by a next period or a
    new subscription, win-backs after a gap, cancellations and expiries;
    then the analytics are refreshed. Returns the readers."""
    rng = random.Random(seed)
    Subscription = env["publication.subscription"]
    plans = env["publication.subscription.plan"].browse(plan_ids)
    reasons = env["publication.churn.reason"].search(
        [("id", "!=", env.ref("publication_crm.churn_reason_not_renewed").id)]
    )
    today = env.company._publication_today()
    first = today.replace(day=1) - relativedelta(months=24)
    partners = env["res.partner"].create(
        [
            {"name": f"Demo Reader {n + 1}", "zip": str(10000 + 25 * n)}
            for n in range(readers)
        ]
    )
    for partner in partners:
        start = first + relativedelta(
            months=rng.randrange(20), days=rng.choice((0, 14))
        )
        _demo_reader_history(
            Subscription, partner, rng.choice(plans), start, rng, reasons
        )
    env["res.partner"]._refresh_abc_classes()
    for model in ANALYTICS_VIEWS:
        env[model]._refresh()
    Subscription._clear_closed_churn_risk()
    Subscription.search([("state", "in", OPEN_STATES)])._refresh_churn_risk()
    return partners


def _demo_reader_history(Subscription, partner, plan, start, rng, reasons):
    today = Subscription.env.company._publication_today()
    origin = "new"
    while start <= today:
        subscription = Subscription.create(
            {
                "recipient_id": partner.id,
                "publication_id": plan.publication_id.id,
                "plan_id": plan.id,
                "date_start": start,
                "origin": origin,
            }
        )
        # each term invoiced in advance, on its first day
        subscription.with_context(default_invoice_date=start).action_confirm()
        while (
            subscription.renewal_type == "continuous"
            and subscription.date_end < today
            and rng.random() < 0.8
        ):
            subscription.with_context(
                default_invoice_date=subscription.date_end + timedelta(days=1)
            )._renew()
        if subscription.date_end >= today:
            return
        roll = rng.random()
        if roll < 0.2:
            day = subscription.date_end - timedelta(days=rng.randrange(10, 90))
            day = max(day, subscription.date_start)
            subscription.with_context(default_invoice_date=day)._cancel(
                day, rng.choice(reasons)
            )
        else:
            subscription._expire()
        stop = subscription.date_cancel or subscription.date_end
        origin = "renewal"
        if roll < 0.2 or rng.random() < 0.3:
            return
        if rng.random() < 0.25:  # back after a gap: a win-back
            start = stop + relativedelta(months=rng.randint(2, 6))
        else:
            start = stop + timedelta(days=1)
