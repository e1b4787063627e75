"""Hooks of the add-on: the materialized views dropped on uninstall."""

from odoo.tools import drop_view_if_exists

from .models.publication_automation import ANALYTICS_VIEWS


def uninstall_hook(env):
    """Drop the materialized views: Odoo's uninstall drops only tables and
    plain views (it leaves a materialized view to CASCADE, when nothing
    else drops it first, with a warning)."""
    for model in reversed(ANALYTICS_VIEWS):
        drop_view_if_exists(env.cr, env[model]._table)
