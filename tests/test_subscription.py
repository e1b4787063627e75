from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestSubscription(PublicationCommon):
    def test_confirm_creates_period_and_invoice(self):
        subscription = self._confirmed(quantity=2)
        period = subscription.period_ids
        self.assertRecordValues(
            period,
            [
                {
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                    "amount": 240.0,
                    "payment_state": "not_paid",
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
                    "amount_total": 240.0,
                }
            ],
        )
        self.assertEqual(invoice.invoice_line_ids.quantity, 2)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.product)
        self.assertEqual(subscription.state, "waiting")

    def test_gift_invoices_payer_and_delivers_recipient(self):
        subscription = self._confirmed(
            recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift"
        )
        self.assertTrue(subscription.is_gift)
        self.assertEqual(self._invoice(subscription).partner_id, self.alice)
        self.assertEqual(subscription.delivery_address_id, self.bob)
        self.assertEqual(subscription.route_id, self.route_south)

    def test_member_and_trial_have_periods_without_invoice(self):
        member = self._confirmed(origin="member")
        trial = self._confirmed(
            recipient_id=self.bob.id,
            publication_id=self.daily.id,
            plan_id=self.plan_trial.id,
        )
        for subscription in member | trial:
            self.assertEqual(subscription.state, "active")
            self.assertEqual(subscription.period_ids.amount, 0.0)
            self.assertEqual(subscription.period_ids.payment_state, "free")
            self.assertFalse(self._invoice(subscription))

    def test_payment_grace_delivers_before_payment(self):
        self.monthly.payment_grace_days = 30
        subscription = self._confirmed()
        self.assertEqual(subscription.state, "active")
        self.assertEqual(subscription.period_ids.payment_state, "not_paid")

    def test_payment_makes_subscription_active(self):
        subscription = self._confirmed()
        invoice = self._invoice(subscription)
        self._pay(invoice, amount=50.0)
        self.assertEqual(subscription.period_ids.payment_state, "partial")
        self.assertEqual(subscription.state, "waiting")
        self._pay(invoice, amount=70.0)
        self.assertIn(subscription.period_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(subscription.state, "active")

    def test_sponsored_bulk_one_invoice_many_recipients(self):
        recipients = self.env["res.partner"].create(
            [{"name": f"Resident {n}", "zip": "10200"} for n in range(200)]
        )
        wizard = (
            self.env["publication.subscription.gift.wizard"]
            .with_user(self.user)
            .create(
                {
                    "payer_id": self.sponsor.id,
                    "publication_id": self.monthly.id,
                    "plan_id": self.plan_annual.id,
                    "origin": "sponsored",
                    "date_start": "2026-01-01",
                    "line_ids": [
                        Command.create({"recipient_id": partner.id})
                        for partner in recipients
                    ],
                }
            )
        )
        action = wizard.action_create()
        subscriptions = self.env["publication.subscription"].search(action["domain"])
        self.assertEqual(len(subscriptions), 200)
        self.assertEqual(subscriptions.recipient_id, recipients)
        self.assertEqual(set(subscriptions.mapped("payer_id")), {self.sponsor})
        self.assertEqual(set(subscriptions.mapped("origin")), {"sponsored"})
        invoice = subscriptions.period_ids.invoice_id
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.partner_id, self.sponsor)
        self.assertEqual(len(invoice.invoice_line_ids), 200)
        self.assertEqual(invoice.amount_total, 200 * 120.0)

    def test_form_defaults_follow_the_recipient(self):
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = self.alice
        self.assertEqual(form.payer_id, self.alice)
        self.assertEqual(form.delivery_address_id, self.alice)
        form.publication_id = self.monthly
        form.plan_id = self.plan_annual
        form.date_start = date(2026, 3, 1)
        self.assertEqual(form.date_end, date(2027, 2, 28))
        self.assertEqual(form.route_id, self.route_north)
        self.assertEqual(form.renewal_type, "fixed")
        form.recipient_id = self.bob
        self.assertEqual(form.payer_id, self.bob, "the recipient pays")
        self.assertEqual(form.route_id, self.route_south)
        form.origin = "gift"
        form.payer_id = self.carol
        form.recipient_id = self.alice
        self.assertEqual(form.payer_id, self.carol, "the giver stays the payer")
        form.route_id = self.route_south
        subscription = form.save()
        self.assertEqual(subscription.route_id, self.route_south, "route is editable")
        self.assertEqual(subscription.price_unit, 120.0)

    def test_term_in_issues_ends_before_the_next_issue(self):
        subscription = self._subscription(plan_id=self.plan_issues.id)
        self.assertEqual(subscription.date_end, date(2026, 12, 31))

    def test_digital_offer_gets_digital_route(self):
        subscription = self._subscription(plan_id=self.plan_monthly_digital.id)
        self.assertEqual(subscription.route_id, self.route_digital)
        self.assertEqual(subscription.delivery_method, "digital")

    def test_move_changes_route_of_open_subscriptions_only(self):
        self.monthly.payment_grace_days = 30
        open_one = self._confirmed()
        closed = self._confirmed(
            publication_id=self.daily.id, plan_id=self.plan_daily.id
        )
        closed._cancel(date(2026, 1, 31), self.reason_moved)
        self.alice.zip = "10700"
        self.assertEqual(open_one.route_id, self.route_south)
        self.assertEqual(closed.route_id, self.route_north, "past deliveries unchanged")
