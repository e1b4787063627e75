from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
class TestSecurity(PublicationCommon):
    def test_user_works_with_subscriptions_not_configuration(self):
        subscription = self._confirmed()
        self.assertEqual(subscription.create_uid, self.user)
        subscription.with_user(self.user)._cancel(date.today(), self.reason_moved)
        self.assertEqual(subscription.state, "cancelled")
        env = self.env(user=self.user)
        for model, vals in (
            ("publication.publication", {"name": "X", "code": "X"}),
            (
                "publication.subscription.plan",
                {"name": "X", "publication_id": self.monthly.id},
            ),
            ("publication.route", {"name": "X", "code": "X"}),
            (
                "publication.issue",
                {"publication_id": self.monthly.id, "number": 99, "date": "2026-05-05"},
            ),
        ):
            with self.assertRaises(AccessError):
                env[model].create(vals)
        with self.assertRaises(AccessError):
            self.monthly.with_user(self.user).write({"payment_grace_days": 3})
        with self.assertRaises(AccessError):
            self.plan_annual.with_user(self.user).write({"price": 1.0})
        with self.assertRaises(AccessError):
            subscription.with_user(self.user).unlink()

    def test_manager_configures(self):
        env = self.env(user=self.manager)
        publication = env["publication.publication"].create(
            {"name": "New", "code": "NEW"}
        )
        env["publication.subscription.plan"].create(
            {"name": "Annual", "publication_id": publication.id, "price": 10.0}
        )
        publication.write({"payment_grace_days": 14})
        self.assertEqual(publication.plan_count, 1)

    def test_multi_company_isolation(self):
        self._subscription()
        other = self.setup_other_company()["company"]
        Publication = self.env["publication.publication"]
        foreign = Publication.with_company(other).create(
            {"name": "Other Weekly", "code": "OW", "company_id": other.id}
        )
        plan = self.env["publication.subscription.plan"].create(
            {"name": "Annual", "publication_id": foreign.id, "price": 10.0}
        )
        self.env["publication.subscription"].with_company(other).create(
            {
                "recipient_id": self.alice.id,
                "publication_id": foreign.id,
                "plan_id": plan.id,
                "date_start": "2026-01-01",
            }
        )
        foreign._generate_issues(date(2026, 1, 1), date(2026, 3, 31))
        env = self.env(user=self.user)
        for model in (
            "publication.publication",
            "publication.subscription.plan",
            "publication.subscription",
            "publication.issue",
        ):
            records = env[model].search([])
            self.assertTrue(records, model)
            self.assertNotIn(other, records.mapped("company_id"), model)
        self.assertFalse(
            env["publication.subscription"].search(
                [("publication_id", "=", foreign.id)]
            )
        )
