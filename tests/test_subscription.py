from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestSubscriptionForm(PublicationCommon):
    """What the user sees while filling in a subscription."""

    def test_payer_address_route_and_end_follow_the_recipient(self):
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = self.alice
        self.assertEqual(form.payer_id, self.alice, "the recipient pays by default")
        self.assertEqual(form.delivery_address_id, self.alice)
        form.publication_id = self.monthly
        self.assertEqual(form.route_id, self.route_north, "zip 10100")
        form.plan_id = self.plan_annual
        form.date_start = date(2026, 3, 1)
        self.assertEqual(form.date_end, date(2027, 2, 28), "12 months term")
        self.assertEqual(form.renewal_type, "fixed")
        self.assertEqual(form.amount, 120.0)
        form.quantity = 3
        self.assertEqual(form.amount, 360.0)
        form.recipient_id = self.bob
        self.assertEqual(form.payer_id, self.bob)
        self.assertEqual(form.delivery_address_id, self.bob)
        self.assertEqual(form.route_id, self.route_south, "zip 10600")
        self.assertEqual(form.delivery_method, "post")
        subscription = form.save()
        self.assertRecordValues(
            subscription,
            [
                {
                    "state": "draft",
                    "payer_id": self.bob.id,
                    "date_end": date(2027, 2, 28),
                    "is_gift": False,
                    "amount": 360.0,
                }
            ],
        )
        self.assertTrue(subscription.name.startswith("SUB/2026/"))

    def test_end_from_a_term_in_issues(self):
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = self.alice
        form.publication_id = self.monthly
        form.plan_id = self.plan_issues
        form.date_start = date(2026, 2, 1)
        # issues on the 1st: the 12 issues of Feb 2026 to Jan 2027 are served,
        # the period ends the day before the 13th issue
        self.assertEqual(form.date_end, date(2027, 1, 31))

    def test_end_of_a_term_in_issues_without_calendar(self):
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = self.alice
        form.publication_id = self.daily
        form.plan_id = self.plan_trial
        # 24 issues of a daily with 312 issues a year: ceil(24 * 365 / 312) days
        self.assertEqual(form.date_end, date(2026, 1, 29))
        self.assertEqual(form.amount, 0.0, "trials are free")


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestGift(PublicationCommon):
    def test_gift_invoices_the_payer_and_delivers_the_recipient(self):
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = self.bob
        form.origin = "gift"
        form.payer_id = self.alice
        form.publication_id = self.monthly
        form.plan_id = self.plan_annual
        subscription = form.save()
        subscription.action_confirm()
        self.assertRecordValues(
            subscription,
            [
                {
                    "recipient_id": self.bob.id,
                    "payer_id": self.alice.id,
                    "delivery_address_id": self.bob.id,
                    "route_id": self.route_south.id,
                    "is_gift": True,
                    "state": "waiting",
                }
            ],
        )
        invoice = self._invoice(subscription)
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.alice.id,
                    "amount_total": 120.0,
                }
            ],
        )
        self.assertIn("Bob", invoice.invoice_line_ids.name, "the line names the gift")
        self.assertEqual(subscription.period_ids.payer_id, self.alice)
        self.assertEqual(subscription.period_ids.recipient_id, self.bob)

    def test_giver_stays_payer_when_recipient_changes(self):
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.origin = "gift"
        form.recipient_id = self.bob
        form.payer_id = self.alice
        form.recipient_id = self.carol
        self.assertEqual(form.payer_id, self.alice)
        self.assertEqual(form.delivery_address_id, self.carol)
        self.assertTrue(form.is_gift)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestConfirm(PublicationCommon):
    def test_confirm_creates_first_period_and_posted_invoice(self):
        subscription = self._subscription(quantity=2)
        subscription.action_confirm()
        period = subscription.period_ids
        self.assertRecordValues(
            period,
            [
                {
                    "date_start": subscription.date_start,
                    "date_end": subscription.date_end,
                    "amount": 120.0 * 2,
                    "payment_state": "not_paid",
                    "refund_id": False,
                }
            ],
        )
        self.assertEqual(period.date_end, date(2026, 12, 31))
        invoice = period.sudo().invoice_id
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.alice.id,
                    "amount_untaxed": 240.0,
                    "amount_total": 240.0,
                    "invoice_origin": subscription.name,
                }
            ],
        )
        self.assertRecordValues(
            invoice.invoice_line_ids,
            [
                {
                    "id": period.sudo().invoice_line_id.id,
                    "product_id": self.product.id,
                    "quantity": 2.0,
                    "price_unit": 120.0,
                    "price_subtotal": 240.0,
                }
            ],
        )
        self.assertEqual(subscription.state, "waiting", "no payment grace")
        self.assertEqual(subscription.invoice_count, 1)

    def test_confirm_with_payment_grace_delivers_at_once(self):
        self.monthly.payment_grace_days = 14
        subscription = self._confirmed()
        self.assertEqual(subscription.state, "active")
        self.assertEqual(subscription.period_ids.payment_state, "not_paid")
        self.assertEqual(self._invoice(subscription).state, "posted")

    def test_member_and_trial_are_active_without_invoice(self):
        before = self.env["account.move"].sudo().search_count([])
        member = self._confirmed(origin="member")
        trial = self._confirmed(
            recipient_id=self.bob.id,
            publication_id=self.daily.id,
            plan_id=self.plan_trial.id,
        )
        self.assertEqual(member.price_unit, 0.0, "members do not pay the offer")
        for subscription in member | trial:
            self.assertEqual(subscription.state, "active")
            self.assertRecordValues(
                subscription.period_ids,
                [
                    {
                        "date_start": subscription.date_start,
                        "date_end": subscription.date_end,
                        "amount": 0.0,
                        "payment_state": "free",
                        "invoice_id": False,
                    }
                ],
            )
            self.assertEqual(subscription.invoice_count, 0)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), before)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPayment(PublicationCommon):
    def test_full_payment_activates(self):
        subscription = self._confirmed()
        self.assertEqual(subscription.state, "waiting")
        self._pay(self._invoice(subscription))
        self.assertEqual(subscription.state, "active")
        self.assertIn(subscription.period_ids.payment_state, ("paid", "in_payment"))

    def test_partial_payment_keeps_waiting(self):
        subscription = self._confirmed()
        invoice = self._invoice(subscription)
        self._pay(invoice, amount=50.0)
        self.assertEqual(subscription.period_ids.payment_state, "partial")
        self.assertEqual(subscription.state, "waiting")
        self._pay(invoice, amount=70.0)
        self.assertIn(subscription.period_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(subscription.state, "active")

    def test_payment_after_cancellation_does_not_reopen(self):
        self.monthly.payment_grace_days = 365  # delivered, not paid
        subscription = self._confirmed()
        with freeze_time("2026-06-30"):
            subscription._cancel(date(2026, 6, 30), self.reason_moved)
        self._pay(self._invoice(subscription))
        self.assertEqual(subscription.state, "cancelled")
