from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPrintRun(PublicationCommon):
    def _partner(self, name, zip_code):
        return self.env["res.partner"].create({"name": name, "zip": zip_code})

    def _by_route(self, issue):
        return {
            d.route_id: (d.delivery_method, d.subscription_count, d.copies)
            for d in issue.distribution_ids
        }

    def test_print_run_by_route_and_method(self):
        self.monthly.payment_grace_days = 30  # confirmed = active
        self._confirmed(quantity=2)  # Alice, north, carrier
        self._confirmed(recipient_id=self.bob.id, quantity=3)  # south, post
        self._confirmed(
            recipient_id=self.carol.id, plan_id=self.plan_monthly_digital.id
        )  # digital
        late = self._partner("Late", "10300")  # north, from June
        self._confirmed(recipient_id=late.id, date_start="2026-06-01", quantity=7)
        gone = self._partner("Gone", "10700")  # south, cancelled mid-April
        gone = self._confirmed(recipient_id=gone.id, quantity=4)
        with freeze_time("2026-04-15"):
            gone._cancel(date(2026, 4, 15), self.reason_moved)
        remote = self._partner("Remote", "20000")  # no route: post
        self._confirmed(recipient_id=remote.id, quantity=2)
        # not counted: a draft, and a confirmed one awaiting payment
        self._subscription(recipient_id=self._partner("Draft", "10300").id, quantity=5)
        self.monthly.payment_grace_days = 0
        unpaid = self._confirmed(
            recipient_id=self._partner("Unpaid", "10300").id, quantity=11
        )
        self.assertEqual(unpaid.state, "waiting")

        march = self._issue(self.monthly, date(2026, 3, 1))
        self.assertRecordValues(
            march,
            [
                {
                    "print_run": 2 + 3 + 1 + 4 + 2,
                    "copies_post": 3 + 4 + 2,
                    "copies_carrier": 2,
                    "copies_digital": 1,
                }
            ],
        )
        self.assertEqual(
            self._by_route(march),
            {
                self.route_north: ("carrier", 1, 2),
                self.route_south: ("post", 2, 3 + 4),
                self.route_digital: ("digital", 1, 1),
                self.env["publication.route"]: ("post", 1, 2),
            },
        )
        july = self._issue(self.monthly, date(2026, 7, 1))
        self.assertRecordValues(
            july,
            [
                {
                    "print_run": 2 + 3 + 1 + 7 + 2,
                    "copies_post": 3 + 2,
                    "copies_carrier": 2 + 7,
                    "copies_digital": 1,
                }
            ],
        )
        self.assertEqual(self._by_route(july)[self.route_north], ("carrier", 2, 9))
        next_march = self._issue(self.monthly, date(2027, 3, 1))
        self.assertEqual(next_march.print_run, 7, "only Late's subscription runs")
        self.assertEqual(self._issue(self.monthly, date(2027, 7, 1)).print_run, 0)

    def test_payment_adds_the_subscription_to_the_print_run(self):
        subscription = self._confirmed(quantity=2)
        march = self._issue(self.monthly, date(2026, 3, 1))
        self.assertEqual(march.print_run, 0, "awaiting payment")
        self._pay(self._invoice(subscription))
        march.invalidate_recordset(["print_run"])
        self.assertEqual(march.print_run, 2)

    def test_cancelled_draft_is_not_printed(self):
        subscription = self._subscription(quantity=5)
        subscription._cancel(date(2026, 6, 30), self.reason_moved)
        march = self._issue(self.monthly, date(2026, 3, 1))
        self.assertEqual(march.print_run, 0, "a draft was never delivered")

    def test_subscription_cancelled_before_its_start_is_not_printed(self):
        self.monthly.payment_grace_days = 30
        subscription = self._confirmed(quantity=5)
        subscription._cancel(date(2025, 12, 31), self.reason_moved)
        self.assertEqual(self._refund(subscription).amount_total, 5 * 120.0)
        january = self._issue(self.monthly, date(2026, 1, 1))
        self.assertEqual(january.print_run, 0, "fully credited, nothing delivered")
