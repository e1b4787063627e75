from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AutomationCommon, PublicationCommon


class InvoicingCommon(PublicationCommon):
    def _active(self, **vals):
        subscription = self._confirmed(**vals)
        self._pay(self._invoice(subscription))
        self.assertEqual(subscription.state, "active")
        return subscription

    def _moves(self, subscription, move_type):
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    (
                        "line_ids.publication_period_id.subscription_id",
                        "=",
                        subscription.id,
                    ),
                    ("move_type", "=", move_type),
                ],
                order="id",
            )
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestAmountDue(InvoicingCommon):
    def test_each_subscription_owes_its_share_of_a_shared_invoice(self):
        self.monthly.payment_grace_days = 30
        sponsored = self._subscription(
            payer_id=self.sponsor.id, origin="sponsored"
        ) | self._subscription(
            recipient_id=self.bob.id,
            payer_id=self.sponsor.id,
            origin="sponsored",
            quantity=3,
        )
        sponsored.action_confirm()
        invoice = sponsored.sudo().period_ids.invoice_id
        self.assertEqual((len(invoice), invoice.amount_total), (1, 480.0))
        self.assertEqual(sponsored.mapped("amount_due"), [120.0, 360.0])
        # Bob's three copies end on 31 March: 3 x 275/365 of 120 credited
        with freeze_time("2026-03-31"):
            sponsored[1]._cancel(date(2026, 3, 31), self.reason_moved)
        self.assertEqual(self._refund(sponsored[1]).amount_total, 271.23)
        self.assertEqual(invoice.amount_residual, 208.77)
        sponsored.invalidate_recordset(["amount_due"])
        self.assertEqual(sponsored.mapped("amount_due"), [120.0, 88.77])
        self._pay(invoice, amount=104.39)
        sponsored.invalidate_recordset(["amount_due"])
        self.assertEqual(sponsored.mapped("amount_due"), [60.0, 44.38])
        self.assertEqual(
            invoice.with_user(self.invoicing_user).publication_subscription_ids,
            sponsored,
        )
        self.assertEqual(
            invoice.action_view_publication_subscriptions()["domain"],
            [("id", "in", sponsored.ids)],
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestTerms(InvoicingCommon):
    def _renewed(self, plan, start, times):
        self.monthly.payment_grace_days = 30
        subscription = self._confirmed(plan_id=plan.id, date_start=start)
        for _time in range(times):
            with freeze_time(subscription.date_end):
                subscription._renew()
        periods = subscription.period_ids.sorted("date_start")
        return [(p.date_start, p.date_end) for p in periods]

    def test_month_terms_count_from_the_start(self):
        plan = self.env["publication.subscription.plan"].create(
            {
                "name": "Month",
                "publication_id": self.monthly.id,
                "term_length": 1,
                "price": 10.0,
            }
        )
        self.assertEqual(
            self._renewed(plan, "2026-01-31", 3),
            [
                (date(2026, 1, 31), date(2026, 2, 27)),
                (date(2026, 2, 28), date(2026, 3, 30)),
                (date(2026, 3, 31), date(2026, 4, 29)),
                (date(2026, 4, 30), date(2026, 5, 30)),
            ],
        )

    def test_a_year_from_29_february_comes_back_to_it(self):
        self.assertEqual(
            self._renewed(self.plan_annual, "2028-02-29", 4)[-1],
            (date(2032, 2, 29), date(2033, 2, 27)),
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestCopies(InvoicingCommon, AutomationCommon):
    def test_raising_and_lowering_copies_invoices_the_rest_of_the_period(self):
        self.monthly.payment_grace_days = 0
        subscription = self._active()
        invoice = self._invoice(subscription)
        period = subscription.period_ids
        with freeze_time("2026-03-31"):
            subscription.with_user(self.user).quantity = 3
        extra = self._moves(subscription, "out_invoice") - invoice
        self.assertRecordValues(
            extra.invoice_line_ids,
            [{"quantity": 2.0, "price_unit": 90.41, "price_subtotal": 180.82}],
        )
        self.assertIn(
            "2 more copies after 03/31/2026, 275 of 365 days",
            extra.invoice_line_ids.name,
        )
        self.assertEqual(extra.partner_id, self.alice)
        self.assertRecordValues(
            period, [{"quantity": 3, "amount": 300.82, "refund_id": False}]
        )
        self.assertIn("Copies changed from 1 to 3", subscription.message_ids[0].body)
        with freeze_time("2026-06-30"):
            subscription.with_user(self.user).quantity = 2
        fewer = self._moves(subscription, "out_refund")
        self.assertRecordValues(
            fewer,
            [{"reversed_entry_id": invoice.id, "amount_total": 60.49}],  # 184 days
        )
        self.assertEqual(fewer.invoice_line_ids.quantity, 1.0)
        self.assertIn("1 fewer copy after 06/30/2026", fewer.invoice_line_ids.name)
        self.assertRecordValues(period, [{"quantity": 2, "amount": 240.33}])
        with freeze_time("2026-09-30"):
            subscription._cancel(date(2026, 9, 30), self.reason_moved)
        # two copies for the 92 days left
        self.assertEqual(self._refund(subscription).amount_total, 60.49)
        self.assertEqual(subscription.invoice_count, 4)

    def test_copies_from_the_next_period(self):
        self.monthly.copies_change_policy = "next_period"
        subscription = self._active_continuous(self.alice)
        moves = self.env["account.move"].sudo().search_count([])
        subscription.with_user(self.user).quantity = 2
        self.assertRecordValues(
            subscription, [{"quantity": 1, "next_quantity": 2, "amount": 30.0}]
        )
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)
        with freeze_time("2026-03-31"):
            self._run("_cron_renew", "_cron_apply_planned_changes")
        renewed = subscription.period_ids.sorted("date_start")[-1]
        self.assertRecordValues(
            renewed, [{"date_start": date(2026, 4, 1), "quantity": 2, "amount": 60.0}]
        )
        self.assertEqual(renewed.sudo().invoice_line_id.quantity, 2.0)
        self.assertEqual(subscription.quantity, 1, "until the period starts")
        with freeze_time("2026-04-01"):
            self._run("_cron_apply_planned_changes")
        self.assertRecordValues(
            subscription, [{"quantity": 2, "next_quantity": 0, "amount": 60.0}]
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPaymentGrace(InvoicingCommon, AutomationCommon):
    def test_delivered_for_the_grace_days_then_suspended(self):
        self.monthly.payment_grace_days = 10
        subscription = self._confirmed()
        self.assertEqual(subscription.state, "active")
        with freeze_time("2026-01-10"):
            self._run("_cron_dunning")
        self.assertEqual(subscription.state, "active", "10 days delivered")
        with freeze_time("2026-01-11"):
            self._run("_cron_dunning")
        self.assertEqual(subscription.state, "suspended")
        self._pay(self._invoice(subscription))
        self.assertEqual(subscription.state, "active")


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestHooksAndLinks(InvoicingCommon):
    def test_invoices_and_credit_notes_are_built_through_hooks(self):
        self.monthly.payment_grace_days = 30
        term = self.env.ref("account.account_payment_term_30days")
        Period = type(self.env["publication.subscription.period"])
        prepare_invoice = Period._prepare_invoice
        prepare_refund = Period._prepare_refund
        self.patch(
            Period,
            "_prepare_invoice",
            lambda periods, lines=None: (
                prepare_invoice(periods, lines) | {"invoice_payment_term_id": term.id}
            ),
        )
        self.patch(
            Period,
            "_prepare_refund",
            lambda periods, invoice, ref, lines: (
                prepare_refund(periods, invoice, ref, lines)
                | {"narration": "Integrator's note"}
            ),
        )
        subscription = self._confirmed()
        with freeze_time("2026-03-31"):
            subscription.quantity = 2
        with freeze_time("2026-06-30"):
            subscription._cancel(date(2026, 6, 30), self.reason_moved)
        invoices = self._moves(subscription, "out_invoice")
        self.assertEqual(len(invoices), 2)
        self.assertEqual(invoices.invoice_payment_term_id, term)
        self.assertIn("Integrator's note", str(self._refund(subscription).narration))

    def test_invoice_salesperson_is_a_person_never_odoobot(self):
        """The invoice's salesperson is the subscription's, else the user who
        confirms; a scheduled action (OdooBot) leaves it empty, not OdooBot."""
        odoobot = self.env.ref("base.user_root")
        sold = self._subscription()  # salesperson: the clerk who entered it
        sold.with_user(odoobot).action_confirm()
        self.assertEqual(self._invoice(sold).invoice_user_id, self.user)
        unsold = self._subscription(recipient_id=self.bob.id, user_id=False)
        unsold.with_user(self.user).action_confirm()
        self.assertEqual(self._invoice(unsold).invoice_user_id, self.user)
        by_cron = self._subscription(recipient_id=self.carol.id, user_id=False)
        by_cron.with_user(odoobot).action_confirm()
        self.assertFalse(self._invoice(by_cron).invoice_user_id)

    def test_confirm_says_which_invoice_and_the_invoice_links_back(self):
        subscription = self._subscription()
        action = subscription.with_user(self.user).action_confirm()
        invoice = self._invoice(subscription)
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(invoice.name, action["params"]["message"])
        body = subscription.message_ids[0].body
        self.assertIn(f'data-oe-id="{invoice.id}"', body)
        self.assertIn(invoice.name, body)
        self.assertEqual(
            invoice.with_user(self.invoicing_user).publication_subscription_ids,
            subscription,
        )
        action = invoice.with_user(
            self.invoicing_user
        ).action_view_publication_subscriptions()
        self.assertEqual(action["res_id"], subscription.id)
        # dates in the payer's date format, not ISO
        self.assertIn("01/01/2026 to 12/31/2026", invoice.invoice_line_ids.name)
