from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from odoo.addons.publication_crm.hooks import create_demo_history

from .common import PublicationCommon


@tagged("post_install", "-at_install")
class TestDemoHistory(PublicationCommon):
    """The demo history (hooks.py, after an install with demo data): two years
    of readers of an annual and a continuous offer, then the analytics."""

    def test_two_years_of_readers(self):
        self.monthly.payment_grace_days = 30
        continuous = self.env["publication.subscription.plan"].create(
            {
                "name": "Quarterly, renews itself",
                "publication_id": self.monthly.id,
                "term_length": 3,
                "price": 30.0,
                "renewal_type": "continuous",
            }
        )
        readers = create_demo_history(
            self.env, [self.plan_annual.id, continuous.id], readers=30
        )
        self.assertEqual(len(readers), 30)
        subscriptions = self.env["publication.subscription"].search(
            [("recipient_id", "in", readers.ids)]
        )
        today = self.env.company._publication_today()
        self.assertGreaterEqual(
            min(subscriptions.mapped("date_start")),
            today.replace(day=1) - relativedelta(months=24),
        )
        self.assertEqual(
            set(subscriptions.mapped("origin")),
            {"new", "renewal"},
            "a reader's next subscription renews the last",
        )
        self.assertGreaterEqual(
            set(subscriptions.mapped("state")), {"active", "expired", "cancelled"}
        )
        self.assertGreater(
            len(subscriptions.period_ids),
            len(subscriptions),
            "continuous terms renewed by a next period",
        )
        self.assertTrue(
            self.env["publication.subscription.month"].search_count(
                [("subscription_id", "in", subscriptions.ids)]
            ),
            "the analytics refreshed",
        )
