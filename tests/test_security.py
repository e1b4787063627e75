from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PublicationCommon

CONFIGURATION_MODELS = (
    "publication.publication",
    "publication.subscription.plan",
    "publication.route",
    "publication.issue",
)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestRights(PublicationCommon):
    def _configuration_values(self):
        return {
            "publication.publication": {"name": "New", "code": "NEW"},
            "publication.subscription.plan": {
                "name": "Biennial",
                "publication_id": self.monthly.id,
                "term_length": 24,
                "price": 200.0,
            },
            "publication.route": {"name": "East", "code": "E"},
            "publication.issue": {
                "publication_id": self.monthly.id,
                "number": 99,
                "date": "2026-05-15",
            },
        }

    def _configuration_records(self):
        return {
            "publication.publication": self.monthly,
            "publication.subscription.plan": self.plan_annual,
            "publication.route": self.route_north,
            "publication.issue": self._issue(self.monthly, date(2026, 5, 1)),
        }

    def test_user_works_with_subscriptions(self):
        subscription = self._subscription(user=self.user)
        self.assertEqual(subscription.create_uid, self.user)
        subscription.with_user(self.user).write({"quantity": 2})
        subscription.with_user(self.user).action_confirm()
        self.assertEqual(subscription.state, "waiting")
        self.assertTrue(self._invoice(subscription), "invoiced without rights")
        subscription.with_user(self.user)._pause(date(2026, 3, 2), date(2026, 3, 9))
        with freeze_time("2026-06-30"):
            subscription.with_user(self.user)._cancel(
                date(2026, 6, 30), self.reason_moved
            )
        self.assertEqual(subscription.state, "cancelled")
        self.assertTrue(self._refund(subscription), "credited")
        self.assertEqual(
            subscription.with_user(self.user).period_ids.refund_id,
            self._refund(subscription),
            "Billing: the user reads the subscription's invoices",
        )
        with self.assertRaises(AccessError):
            self.env["account.journal"].with_user(self.user).create(
                {"name": "Cash 2", "code": "CSH2", "type": "cash"}
            )

    def test_user_cannot_configure(self):
        env = self.env(user=self.user)
        for model, vals in self._configuration_values().items():
            self.assertTrue(env[model].search([]), f"{model} is readable")
            with self.assertRaises(AccessError, msg=model):
                env[model].create(vals)
        for model, record in self._configuration_records().items():
            with self.assertRaises(AccessError, msg=model):
                record.with_user(self.user).write({"name": "Renamed"})
            with self.assertRaises(AccessError, msg=model):
                record.with_user(self.user).unlink()
        with self.assertRaises(AccessError):
            self.monthly.with_user(self.user)._generate_issues(
                date(2028, 1, 1), date(2028, 3, 31)
            )
        with self.assertRaises(AccessError):
            self.reason_moved.with_user(self.user).write({"name": "Relocated"})

    def test_user_cannot_delete_subscriptions(self):
        subscription = self._subscription()
        with self.assertRaises(AccessError):
            subscription.with_user(self.user).unlink()

    def test_manager_configures(self):
        env = self.env(user=self.manager)
        for model, vals in self._configuration_values().items():
            record = env[model].create(vals)
            record.write({"name": "Renamed"})
            self.assertEqual(record.name, "Renamed")
        for model, record in self._configuration_records().items():
            record.with_user(self.manager).write({"name": f"{model} renamed"})
        publication = env["publication.publication"].search([("code", "=", "NEW")])
        self.assertEqual(publication.company_id, self.env.company)
        self.assertTrue(
            publication._generate_issues(date(2026, 1, 1), date(2026, 3, 31))
        )
        draft = self._subscription(user=self.manager)
        draft.with_user(self.manager).unlink()
        self.assertFalse(draft.exists())


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestMultiCompany(PublicationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_data_2 = cls.setup_other_company()
        cls.company_b = cls.company_data_2["company"]
        env_b = cls.env(
            context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids)
        )
        cls.publication_b = env_b["publication.publication"].create(
            {
                "name": "Other Weekly",
                "code": "OW",
                "issues_per_year": 52,
                "product_id": cls.product.id,
                "company_id": cls.company_b.id,
            }
        )
        cls.publication_b._generate_issues(date(2026, 1, 1), date(2026, 3, 31))
        cls.plan_b = env_b["publication.subscription.plan"].create(
            {"name": "Annual", "publication_id": cls.publication_b.id, "price": 10.0}
        )
        cls.route_b = env_b["publication.route"].create(
            {"name": "B north", "code": "N", "company_id": cls.company_b.id}
        )
        cls.subscription_b = env_b["publication.subscription"].create(
            {
                "recipient_id": cls.alice.id,
                "publication_id": cls.publication_b.id,
                "plan_id": cls.plan_b.id,
                "date_start": "2026-01-01",
            }
        )
        cls.subscription_b.action_confirm()
        cls.user_both = cls._new_user(
            "pub_user_ab",
            "publication_crm.group_publication_user",
            companies=cls.company_a | cls.company_b,
        )

    def test_records_of_company_b_are_invisible_in_company_a(self):
        self._confirmed()
        self.assertEqual(self.subscription_b.company_id, self.company_b)
        self.assertEqual(self._invoice(self.subscription_b).company_id, self.company_b)
        env = self.env(user=self.user)
        self.assertEqual(env.companies, self.company_a)
        for model in CONFIGURATION_MODELS + (
            "publication.subscription",
            "publication.subscription.period",
        ):
            records = env[model].search([])
            self.assertTrue(records, model)
            self.assertEqual(records.company_id, self.company_a, model)
        self.assertFalse(
            env["publication.subscription"].search(
                [("publication_id", "=", self.publication_b.id)]
            )
        )
        self.assertFalse(
            env["publication.issue"].search([("company_id", "=", self.company_b.id)])
        )
        with self.assertRaises(AccessError):
            self.subscription_b.with_user(self.user).read(["name"])
        with self.assertRaises(AccessError):
            self.publication_b.with_user(self.user).read(["name"])

    def test_allowed_companies_decide_what_a_user_sees(self):
        Subscription = self.env["publication.subscription"].with_user(self.user_both)
        only_a = Subscription.with_context(allowed_company_ids=self.company_a.ids)
        self.assertFalse(only_a.search([("id", "=", self.subscription_b.id)]))
        self.assertFalse(
            only_a.env["publication.issue"].search(
                [("publication_id", "=", self.publication_b.id)]
            )
        )
        both = Subscription.with_context(
            allowed_company_ids=(self.company_a | self.company_b).ids
        )
        self.assertEqual(
            both.search([("id", "=", self.subscription_b.id)]), self.subscription_b
        )
        self.assertEqual(
            len(
                both.env["publication.issue"].search(
                    [("publication_id", "=", self.publication_b.id)]
                )
            ),
            len(self.publication_b.issue_ids),
        )

    def test_route_of_another_company_refused(self):
        with self.assertRefused(UserError, "B north"):
            self.env["publication.subscription"].create(
                {
                    "recipient_id": self.bob.id,
                    "publication_id": self.monthly.id,
                    "plan_id": self.plan_annual.id,
                    "route_id": self.route_b.id,
                }
            )
