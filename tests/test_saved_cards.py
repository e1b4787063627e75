import re
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.publication_crm.models.publication_subscription import card
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import AutomationCommon, demo_payment_provider

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class SavedCardCommon(AutomationCommon):
    """A continuous quarterly of Alice to the monthly, paid by a saved card
    of the demo provider (payment_demo: a token's simulated state is the
    outcome of each charge), renewed by the nightly run on 2026-03-31 with an
    invoice due that day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.write({"email": "alice@example.com", "lang": "en_US"})
        cls.provider = demo_payment_provider(cls.env, cls.env.company)
        cls.monthly.write({"card_retry_days": "1,3,7", "suspend_after_days": 2})
        cls.env["publication.reminder.step"].create(
            {
                "publication_id": cls.monthly.id,
                "kind": "dunning",
                "days": 1,
                "mail_template_id": cls.env.ref(
                    "publication_crm.mail_template_payment_reminder"
                ).id,
            }
        )

    @classmethod
    def _token(cls, partner, state="done", details="4242"):
        return (
            cls.env["payment.token"]
            .sudo()
            .create(
                {
                    "provider_id": cls.provider.id,
                    "payment_method_id": cls.env.ref(
                        "payment_demo.payment_method_demo"
                    ).id,
                    "partner_id": partner.id,
                    "provider_ref": f"demo-{details}",
                    "payment_details": details,
                    "demo_simulated_state": state,
                }
            )
        )

    def _card_subscription(self, token):
        with freeze_time("2026-01-01"):
            subscription = self._active_continuous(self.alice)
            self._pay(self._invoice(subscription))
        subscription.sudo().payment_token_id = token
        return subscription

    def _renewal(self, subscription):
        return subscription.sudo().period_ids.sorted("date_start")[-1]

    def _txs(self, subscription):
        return self._renewal(subscription).invoice_id.transaction_ids


@tagged("post_install", "-at_install")
class TestSavedCards(SavedCardCommon):
    def test_renewal_is_charged_once_and_paid_by_odoo_payment_flow(self):
        subscription = self._card_subscription(self._token(self.alice))
        cron = self.env.ref("publication_crm.ir_cron_card_charges")
        with freeze_time("2026-03-31"):
            self._run("_cron_renew")
            renewal = self._renewal(subscription)
            self.assertEqual(renewal.date_start, date(2026, 4, 1))
            self.assertEqual(renewal.card_charge_state, "due")
            self.assertTrue(
                self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
                "the charges start right after the renewal's commit",
            )
            self._run("_cron_card_charges")
            tx = self._txs(subscription)
            self.assertEqual(len(tx), 1)
            self.assertEqual(
                (tx.state, tx.operation, tx.token_id),
                ("done", "offline", subscription.sudo().payment_token_id),
            )
            self.assertEqual(tx.amount, renewal.invoice_id.amount_total)
            self.assertTrue(tx.payment_id, "Odoo's post-processing made the payment")
            self.assertIn(renewal.invoice_id.payment_state, ("paid", "in_payment"))
            self.assertIn(renewal.payment_state, ("paid", "in_payment"))
            self.assertEqual(renewal.card_charge_state, "paid")
            # the night's run again, and the charges again: nothing more
            self._run("_cron_renew", "_cron_card_charges")
            self._run("_cron_card_charges")
        self.assertEqual(len(self._txs(subscription)), 1, "charged exactly once")
        self.assertEqual(len(subscription.sudo().period_ids), 2)

    def test_pending_charge_blocks_a_second_one_until_done(self):
        subscription = self._card_subscription(self._token(self.alice, "pending"))
        with freeze_time("2026-03-31"):
            self._run("_cron_renew", "_cron_card_charges")
            renewal = self._renewal(subscription)
            tx = self._txs(subscription)
            self.assertEqual((len(tx), tx.state), (1, "pending"))
            self.assertEqual(renewal.card_charge_state, "pending")
            # even a period put back to charge is not charged while one is pending
            renewal.sudo().card_charge_state = "due"
            self._run("_cron_card_charges")
            self.assertEqual(len(self._txs(subscription)), 1)
            self.assertEqual(renewal.card_charge_state, "pending")
        with freeze_time("2026-04-10"):
            self._run("_cron_dunning")
            self.assertEqual(
                subscription.state, "active", "no suspension while the charge is on"
            )
            self.assertFalse(renewal.dunning_days_sent, "no reminder either")
            tx.action_demo_set_done()  # the provider's notification
            self._run("_cron_card_charges")
        self.assertEqual(len(self._txs(subscription)), 1)
        self.assertEqual(renewal.card_charge_state, "paid")
        self.assertIn(renewal.invoice_id.payment_state, ("paid", "in_payment"))

    def test_failed_charge_retries_on_the_publication_days_then_dunning(self):
        subscription = self._card_subscription(self._token(self.alice, "error"))
        with freeze_time("2026-03-31"):
            self._run("_cron_renew", "_cron_card_charges")
            renewal = self._renewal(subscription)
            self.assertEqual(renewal.invoice_date_due, date(2026, 3, 31))
            self.assertEqual(len(self._txs(subscription)), 1)
            self.assertIn("demo payment status", subscription.card_failure_reason)
            self.assertEqual(subscription.card_failure_date, date(2026, 3, 31))
            self.assertEqual(subscription.card_next_charge_date, date(2026, 4, 1))
            mail = subscription.message_ids.filtered(
                lambda m: (
                    m.message_type == "comment"
                    and m.subject
                    and "did not go through" in m.subject
                )
            )
            self.assertEqual(mail.partner_ids, self.alice, "mailed to the payer")
            self.assertIn(
                f"/my/subscriptions/{subscription.id}/payment_method", mail.body
            )
            template = self.env.ref("publication_crm.mail_template_card_payment_failed")
            self.alice.lang = "fi_FI"
            self.assertEqual(
                template._render_lang(subscription.ids)[subscription.id], "fi_FI"
            )
            self.alice.lang = "en_US"
            self._run("_cron_card_charges")
            self.assertEqual(len(self._txs(subscription)), 1, "no retry the same day")
        tries = {}
        for day in ("2026-04-01", "2026-04-02", "2026-04-03", "2026-04-07"):
            with freeze_time(day):
                self._run("_cron_card_charges", "_cron_dunning")
                tries[day] = len(self._txs(subscription))
                if day != "2026-04-07":
                    self.assertEqual(subscription.state, "active", day)
                    self.assertFalse(renewal.dunning_days_sent, day)
        self.assertEqual(
            tries,
            {"2026-04-01": 2, "2026-04-02": 2, "2026-04-03": 3, "2026-04-07": 4},
            "retried 1, 3 and 7 days after the due date",
        )
        self.assertEqual(renewal.card_charge_state, "failed")
        self.assertFalse(subscription.card_next_charge_date)
        self.assertTrue(subscription.card_failure_reason, "still shown")
        self.assertTrue(renewal.dunning_days_sent, "the reminders take over")
        events = subscription.renewal_event_ids.mapped("kind")
        self.assertIn("dunning", events)
        self.assertEqual(subscription.state, "suspended", "and the suspension")
        failure_mails = subscription.message_ids.filtered(
            lambda m: m.subject and "did not go through" in m.subject
        )
        self.assertEqual(len(failure_mails), 1, "one mail per period")
        with freeze_time("2026-04-08"):
            self._run("_cron_card_charges")
        self.assertEqual(len(self._txs(subscription)), 4, "no try after the last")

    def test_a_new_method_charges_at_once_and_success_clears_the_failure(self):
        subscription = self._card_subscription(self._token(self.alice, "error"))
        with freeze_time("2026-03-31"):
            self._run("_cron_renew", "_cron_card_charges")
        self.assertTrue(subscription.card_failure_reason)
        good = self._token(self.alice, "done", "1111")
        with freeze_time("2026-04-01 08:00"):
            subscription.sudo()._portal_set_payment_token(self.alice, good)
            self.assertEqual(subscription.card_next_charge_date, date(2026, 4, 1))
            self._run("_cron_card_charges")
        renewal = self._renewal(subscription)
        self.assertEqual(renewal.card_charge_state, "paid")
        self.assertIn(renewal.invoice_id.payment_state, ("paid", "in_payment"))
        self.assertFalse(subscription.card_failure_reason, "cleared by itself")
        self.assertFalse(subscription.card_failure_date)

    def test_payment_by_hand_ends_the_card_collection(self):
        subscription = self._card_subscription(self._token(self.alice, "error"))
        with freeze_time("2026-03-31"):
            self._run("_cron_renew", "_cron_card_charges")
            self._pay(self._renewal(subscription).invoice_id)
        with freeze_time("2026-04-01"):
            self._run("_cron_card_charges")
        self.assertEqual(len(self._txs(subscription)), 1, "no retry of a paid one")
        self.assertEqual(self._renewal(subscription).card_charge_state, "paid")
        self.assertFalse(subscription.card_failure_reason)

    def test_without_a_saved_method_the_renewal_is_invoiced_as_before(self):
        with freeze_time("2026-01-01"):
            subscription = self._active_continuous(self.alice)
            self._pay(self._invoice(subscription))
        with freeze_time("2026-03-31"):
            self._run("_cron_renew", "_cron_card_charges")
        self.assertFalse(self._renewal(subscription).card_charge_state)
        self.assertFalse(self._txs(subscription))

    def test_a_queue_job_charges_several_committing_each(self):
        """With the job runner, a job makes CHARGE_JOB_SIZE charges and
        commits after each; run again, it charges nobody twice."""
        self.patch(card, "CHARGE_JOB_SIZE", 2)
        subscriptions = self._card_subscription(self._token(self.alice))
        dora = self.env["res.partner"].create({"name": "Dora", "email": "d@x.org"})
        for payer in (self.bob, dora):
            with freeze_time("2026-01-01"):
                subscription = self._active_continuous(payer)
                self._pay(self._invoice(subscription))
            subscription.sudo().payment_token_id = self._token(payer)
            subscriptions |= subscription
        self._use_job_runner()
        with freeze_time("2026-03-31"), trap_jobs() as trap:
            self._run("_cron_renew")
            self._perform_all_trapped(trap)
            self._run("_cron_card_charges")
            jobs = list(trap.enqueued_jobs)
            self.assertEqual([len(job.args[1]) for job in jobs], [2, 1])
            self.assertTrue(jobs[0].job_config.allow_commit)
            self.registry_enter_test_mode()  # the job's own cursor
            with patch.object(
                self.registry["ir.cron"], "_commit_progress", return_value=3600.0
            ) as commit:
                self._perform_trapped(trap)
                self.assertEqual(commit.call_count, 3, "a commit per charge")
                self._perform_trapped(trap, jobs)  # again, as after a lost "done"
        self.env.invalidate_all()  # written through the job's cursor
        for subscription in subscriptions:
            tx = self._txs(subscription)
            self.assertEqual((len(tx), tx.state), (1, "done"), "charged once")
            self.assertEqual(self._renewal(subscription).card_charge_state, "paid")

    def test_only_the_payer_sets_an_own_active_method(self):
        subscription = self._card_subscription(self._token(self.alice)).sudo()
        with self.assertRaises(AccessError):
            subscription._portal_set_payment_token(self.bob, self._token(self.bob))
        with self.assertRaises(UserError) as refusal:
            subscription._portal_set_payment_token(self.alice, self._token(self.bob))
        self.assertIn(
            "not an active saved payment method of its payer", str(refusal.exception)
        )
        with self.assertRaises(AccessError):
            subscription.with_user(self.manager).write({"card_failure_reason": "x"})

    def test_retry_days_are_checked(self):
        with self.assertRaises(ValidationError) as refusal:
            self.monthly.card_retry_days = "1,three"
        self.assertIn("1,three", str(refusal.exception))
        self.monthly.card_retry_days = "7, 1,3"
        self.assertEqual(self.monthly._card_retry_day_list(), [1, 3, 7])


@tagged("post_install", "-at_install")
class TestSavedCardPortal(SavedCardCommon, HttpCase):
    """Over HTTP: the logged-in payer saves a method when paying, replaces
    and removes it on the subscription's page; another portal user and a
    visitor holding the mailed link change nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_alice = new_test_user(
            cls.env,
            login="portal_alice",
            groups="base.group_portal",
            partner_id=cls.alice.id,
        )
        cls.portal_bob = new_test_user(
            cls.env,
            login="portal_bob",
            groups="base.group_portal",
            partner_id=cls.bob.id,
        )

    def _pay_on_portal(self, invoice, access_token=None, save=True):
        """Pay invoice with a new demo card through the invoice's payment form
        routes, asking to save it; returns the transaction."""
        values = self.make_jsonrpc_request(
            f"/invoice/transaction/{invoice.id}",
            {
                "access_token": access_token or invoice._portal_ensure_token(),
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref(
                    "payment_demo.payment_method_demo"
                ).id,
                "token_id": None,
                "amount": invoice.amount_residual,
                "flow": "direct",
                "tokenization_requested": save,
                "landing_route": invoice.get_portal_url(),
                "is_validation": False,
            },
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": values["reference"],
                "payment_details": "5555",
                "simulated_state": "done",
            },
        )
        tx = self.env["payment.transaction"].search(
            [("reference", "=", values["reference"])]
        )
        tx._post_process()  # what /payment/status/poll or Odoo's cron does
        self.env.invalidate_all()
        return tx

    def _post_method(self, subscription, token_id, access_token=None):
        url = f"/my/subscriptions/{subscription.id}/payment_method"
        if access_token:
            url += f"?access_token={access_token}"
        csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        response = self.url_open(
            url,
            data={"token_id": token_id or "", "csrf_token": csrf},
            allow_redirects=False,
        )
        self.env.invalidate_all()
        return response

    def _renewed_unpaid(self, token=None):
        with freeze_time("2026-01-01"):
            subscription = self._active_continuous(self.alice)
            self._pay(self._invoice(subscription))
        if token:
            subscription.sudo().payment_token_id = token
        subscription.sudo()._renew()
        return subscription

    def test_payer_saves_the_method_when_paying_then_replaces_and_removes_it(self):
        subscription = self._renewed_unpaid()
        invoice = self._renewal(subscription).invoice_id
        self.authenticate("portal_alice", "portal_alice")
        tx = self._pay_on_portal(invoice)
        self.assertEqual(tx.state, "done")
        self.assertTrue(tx.token_id, "Odoo saved the card")
        self.assertEqual(subscription.sudo().payment_token_id, tx.token_id)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        other = self._token(self.alice, details="7777")
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("o_subscription_saved_method", page.text)
        self.assertIn("5555", page.text)
        self.assertIn(f'value="{other.id}"', page.text, "offered as replacement")

        response = self._post_method(subscription, other.id)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(subscription.sudo().payment_token_id, other)
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("now pays your automatic renewals", page.text)

        self._post_method(subscription, None)
        self.assertFalse(subscription.sudo().payment_token_id)
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("The saved payment method is removed", page.text)

    def test_another_portal_user_and_a_link_holder_change_nothing(self):
        token = self._token(self.alice)
        subscription = self._renewed_unpaid(token)
        other = self._token(self.alice, details="7777")
        link_token = subscription.sudo()._portal_ensure_token()
        # a visitor with the mailed link: to the login, nothing changed
        response = self._post_method(subscription, other.id, link_token)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        response = self._post_method(subscription, None, link_token)
        self.assertIn("/web/login", response.headers["Location"])
        self.assertEqual(subscription.sudo().payment_token_id, token)
        # ... who pays the invoice from the link, asking to save the card
        invoice = self._renewal(subscription).invoice_id
        self._pay_on_portal(invoice, invoice._portal_ensure_token())
        self.assertEqual(
            subscription.sudo().payment_token_id, token, "the link saves nothing"
        )
        # the failure mail's link opens the login first
        response = self.url_open(
            f"/my/subscriptions/{subscription.id}/payment_method",
            allow_redirects=False,
        )
        self.assertIn("/web/login", response.headers["Location"])
        self.assertIn("payment_method", response.headers["Location"])
        # another portal user
        self.authenticate("portal_bob", "portal_bob")
        response = self._post_method(subscription, None)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual(subscription.sudo().payment_token_id, token)
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertNotIn("o_subscription_payment_method", page.text)
