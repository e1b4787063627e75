from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .test_distribution import DistributionCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestIssuesOwed(DistributionCommon):
    def _freeze(self, *days):
        for day in days:
            self._issue(self.monthly, day).with_user(
                self.manager
            ).action_freeze_distribution()
        self.env.invalidate_all()

    def _counts(self, subscription):
        return (
            subscription.issue_owed_count,
            subscription.issue_delivered_count,
            subscription.issue_replaced_count,
            subscription.issue_remaining_count,
        )

    def test_term_in_issues(self):
        dave = self.env["res.partner"].create({"name": "Dave", "zip": "10200"})
        subscription = self._confirmed(
            recipient_id=dave.id, plan_id=self.plan_issues.id
        )
        self.assertEqual(subscription.date_end, date(2026, 12, 31), "12 issues")
        self.assertEqual(self._counts(subscription), (12, 0, 0, 12))
        self._freeze(date(2026, 1, 1), date(2026, 2, 1))
        self.env["publication.issue.replacement"].create(
            {
                "issue_id": self._issue(self.monthly, date(2026, 2, 1)).id,
                "subscription_id": subscription.id,
            }
        )
        self.assertEqual(self._counts(subscription), (12, 2, 1, 10))
        # a pause holds March back: still 12 owed, the end moves by one issue
        subscription._pause(date(2026, 3, 1), date(2026, 3, 31))
        self.assertEqual(subscription.date_end, date(2027, 1, 1))
        self.assertEqual(self._counts(subscription), (12, 2, 1, 10))
        self._freeze(date(2026, 3, 1))
        self.assertEqual(self._counts(subscription), (12, 2, 1, 10), "paused")

    def test_term_in_months_and_cancellation(self):
        self.assertEqual(self._counts(self.alice_sub), (12, 0, 0, 12))
        self._freeze(date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
        self.assertEqual(self._counts(self.alice_sub), (12, 3, 0, 9))
        with freeze_time("2026-04-15"):  # on the day: a later date plans it
            self.alice_sub._cancel(date(2026, 4, 15), self.reason_moved)
        self.assertEqual(self._counts(self.alice_sub), (4, 3, 0, 1), "April left")

    def test_filters(self):
        self.bob_sub._cancel(date(2025, 12, 31), self.reason_moved)
        self._freeze(date(2026, 1, 1))
        Subscription = self.env["publication.subscription"].with_user(self.user)
        subscriptions = self.alice_sub | self.bob_sub | self.carol_sub
        self.assertEqual(
            Subscription.search(
                [("id", "in", subscriptions.ids), ("issue_remaining_count", ">", 0)]
            ),
            self.alice_sub | self.carol_sub,
        )
        self.assertEqual(
            Subscription.search(
                [("id", "in", subscriptions.ids), ("issue_remaining_count", "=", 0)]
            ),
            self.bob_sub,
        )
        self.assertEqual(
            Subscription.search(
                [("id", "in", subscriptions.ids), ("issue_delivered_count", "=", 0)]
            ),
            self.bob_sub,
        )
        self.assertEqual(
            Subscription.search(
                [("id", "in", subscriptions.ids), ("issue_delivered_count", ">=", 1)]
            ),
            self.alice_sub | self.carol_sub,
        )
