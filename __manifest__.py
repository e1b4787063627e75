# Copyright 2026 publication_crm authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Publication CRM",
    "summary": "Subscribers, subscriptions, issues and invoicing for magazine "
    "and newspaper publishers",
    "version": "19.0.1.0.0",
    "category": "Sales/Subscriptions",
    "website": "https://github.com/publication-crm/publication_crm",
    "author": "publication_crm authors",
    "maintainers": ["publication-crm"],
    "license": "AGPL-3",
    "application": True,
    "depends": ["account", "mail", "utm"],
    "data": [
        "security/publication_crm_security.xml",
        "security/ir.model.access.csv",
        "security/publication_crm_rules.xml",
        "data/ir_sequence_data.xml",
        "data/publication_churn_reason_data.xml",
        "views/publication_publication_views.xml",
        "views/publication_issue_views.xml",
        "views/publication_issue_distribution_views.xml",
        "views/publication_route_views.xml",
        "views/publication_subscription_plan_views.xml",
        "views/publication_subscription_views.xml",
        "views/publication_subscription_period_views.xml",
        "views/publication_subscription_pause_views.xml",
        "views/publication_churn_reason_views.xml",
        "views/res_partner_views.xml",
        "wizards/publication_subscription_gift_wizard_views.xml",
        "wizards/publication_subscription_cancel_wizard_views.xml",
        "wizards/publication_subscription_pause_wizard_views.xml",
        "views/publication_menus.xml",
    ],
    "demo": [
        "demo/publication_demo.xml",
    ],
}
