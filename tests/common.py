from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# Records counted to show that a refused operation wrote nothing.
WRITTEN_MODELS = (
    "publication.subscription",
    "publication.subscription.period",
    "publication.subscription.pause",
    "account.move",
)


class PublicationCommon(AccountTestInvoicingCommon):
    """A monthly with its 2026-2027 issue calendar, a daily without calendar,
    offers, routes by postal code, subscribers, a Publication User, a Publication
    Manager and a Publication User who may also see invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref(
            "publication_crm.group_publication_manager"
        )
        cls.user = cls._new_user("pub_user", "publication_crm.group_publication_user")
        cls.manager = cls._new_user(
            "pub_manager", "publication_crm.group_publication_manager"
        )
        cls.invoicing_user = cls._new_user(
            "pub_invoicing",
            "publication_crm.group_publication_user,account.group_account_invoice",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Subscription", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls._create_publications()
        cls._create_plans()
        cls._create_routes()
        Partner = cls.env["res.partner"]
        cls.alice = Partner.create({"name": "Alice", "zip": "10100"})  # north
        cls.bob = Partner.create({"name": "Bob", "zip": "10600"})  # south
        cls.carol = Partner.create({"name": "Carol", "zip": "20000"})  # no route
        cls.sponsor = Partner.create({"name": "Valley Bank", "is_company": True})
        cls.reason_moved = cls.env.ref("publication_crm.churn_reason_moved")

    @classmethod
    def _create_publications(cls):
        Publication = cls.env["publication.publication"]
        cls.monthly = Publication.create(
            {
                "name": "Parish Monthly",
                "code": "PM",
                "issues_per_year": 12,
                "product_id": cls.product.id,
            }
        )
        cls.daily = Publication.create(
            {
                "name": "Valley Daily",
                "code": "VD",
                "issues_per_year": 312,
                "product_id": cls.product.id,
            }
        )
        # issues on the 1st of each month; the daily has no issue calendar
        cls.monthly._generate_issues(date(2026, 1, 1), date(2027, 12, 31))

    @classmethod
    def _create_plans(cls):
        Plan = cls.env["publication.subscription.plan"]
        cls.plan_annual = Plan.create(
            {
                "name": "Annual",
                "publication_id": cls.monthly.id,
                "term_unit": "months",
                "term_length": 12,
                "price": 120.0,
            }
        )
        cls.plan_issues = Plan.create(
            {
                "name": "12 issues",
                "publication_id": cls.monthly.id,
                "term_unit": "issues",
                "term_length": 12,
                "price": 60.0,
                "proration": "issues",
            }
        )
        cls.plan_monthly_digital = Plan.create(
            {
                "name": "E-paper",
                "publication_id": cls.monthly.id,
                "term_length": 12,
                "price": 50.0,
                "channel": "digital",
            }
        )
        cls.plan_daily = Plan.create(
            {
                "name": "Daily annual",
                "publication_id": cls.daily.id,
                "term_length": 12,
                "price": 300.0,
            }
        )
        cls.plan_trial = Plan.create(
            {
                "name": "Trial",
                "publication_id": cls.daily.id,
                "term_unit": "issues",
                "term_length": 24,
                "is_trial": True,
            }
        )

    @classmethod
    def _create_routes(cls):
        Route = cls.env["publication.route"]
        cls.route_north = Route.create(
            {
                "name": "North",
                "code": "N",
                "delivery_method": "carrier",
                "zip_from": "10000",
                "zip_to": "10499",
            }
        )
        cls.route_south = Route.create(
            {
                "name": "South",
                "code": "S",
                "delivery_method": "post",
                "zip_from": "10500",
                "zip_to": "10999",
            }
        )
        cls.route_digital = Route.create(
            {"name": "E-paper", "code": "D", "delivery_method": "digital"}
        )

    @classmethod
    def _new_user(cls, login, groups, companies=None):
        companies = companies or cls.env.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=companies[0].id,
            company_ids=[Command.set(companies.ids)],
        )

    def _subscription(self, user=None, **vals):
        """A draft subscription of Alice to the monthly, created by user."""
        values = {
            "recipient_id": self.alice.id,
            "publication_id": self.monthly.id,
            "plan_id": self.plan_annual.id,
            "date_start": "2026-01-01",
        } | vals
        Subscription = self.env["publication.subscription"]
        return Subscription.with_user(user or self.user).create(values)

    def _confirmed(self, **vals):
        subscription = self._subscription(**vals)
        subscription.action_confirm()
        return subscription

    def _invoice(self, subscription):
        return subscription.sudo().period_ids.invoice_id

    def _refund(self, subscription):
        return subscription.sudo().period_ids.refund_id

    def _issue(self, publication, day):
        return publication.issue_ids.filtered(lambda i: i.date == day)

    def _pay(self, invoice, amount=None):
        """Register a payment of amount (the full residual if None)."""
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount} if amount else {})
        )
        wizard.action_create_payments()

    def _counts(self):
        return {
            model: self.env[model].sudo().search_count([]) for model in WRITTEN_MODELS
        }

    @contextmanager
    def assertRefused(self, exception, *texts):
        """The block raises exception saying texts, and leaves no new record."""
        before = self._counts()
        with self.assertRaises(exception) as caught:
            yield
        for text in texts:
            self.assertIn(text, str(caught.exception))
        self.assertEqual(self._counts(), before, "a refused input wrote nothing")


class HelpdeskCommon(PublicationCommon):
    """PublicationCommon with a subscriber service team, its leader, an agent
    (helpdesk team user and Publication User) and Alice's active subscription."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        cls.env.company.partner_id.tz = "UTC"
        cls.leader = cls._new_user(
            "hd_leader",
            "helpdesk_mgmt.group_helpdesk_user,publication_crm.group_publication_user",
        )
        cls.agent = cls._new_user(
            "hd_agent",
            "helpdesk_mgmt.group_helpdesk_user_team,"
            "publication_crm.group_publication_user",
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Subscriber Service",
                "alias_name": "service",
                "user_id": cls.leader.id,
                "user_ids": [Command.set((cls.leader | cls.agent).ids)],
            }
        )
        cls.cat_missed = cls.env.ref("publication_crm.complaint_category_missed_copy")
        cls.cat_damaged = cls.env.ref("publication_crm.complaint_category_damaged_copy")
        cls.cat_late = cls.env.ref("publication_crm.complaint_category_late_delivery")
        cls.cat_billing = cls.env.ref("publication_crm.complaint_category_billing")
        cls.alice.email = "alice@example.com"
        cls.bob.email = "bob@example.com"

    def _active(self, **vals):
        subscription = self._confirmed(**vals)
        self._pay(self._invoice(subscription))
        self.assertEqual(subscription.state, "active")
        return subscription

    def _ticket(self, partner, category=None, user=None, **vals):
        values = {
            "name": "Complaint",
            "description": "<p>Where is my paper?</p>",
            "team_id": self.team.id,
            "user_id": self.agent.id,
            "partner_id": partner.id,
            "category_id": (category or self.cat_missed).id,
        } | vals
        return self.env["helpdesk.ticket"].with_user(user or self.agent).create(values)
