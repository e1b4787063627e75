import re
from datetime import timedelta
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import PublicationCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestRenewalPortal(PublicationCommon, HttpCase):
    """The page behind the link of every reminder, over HTTP, for a visitor
    who is not logged in and holds the link's token."""

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env["res.partner"])
        # the visitor's session and a CSRF token of it, for a POST without a
        # form on the page (a resubmitted or a forged one)
        self.csrf = CSRF.search(self.url_open("/web/login").text).group(1)

    def _ending_soon(self, **vals):
        """A paid annual subscription of Alice that ends within a month."""
        vals.setdefault("date_start", self.today - relativedelta(months=11))
        subscription = self._confirmed(**vals)
        invoice = self._invoice(subscription)
        if invoice:
            self._pay(invoice)
        return subscription

    def _url(self, subscription, token=None):
        token = token or subscription.sudo()._portal_ensure_token()
        return f"/publication/renew/{subscription.id}?access_token={token}"

    def _get(self, subscription, token=None):
        response = self.url_open(self._url(subscription, token), allow_redirects=False)
        self.env.invalidate_all()
        return response

    def _post(self, subscription, token=None):
        """Submit the page's form as the visitor's browser does (its CSRF
        token), or post anyway when the page has none."""
        page = self.url_open(self._url(subscription, token))
        csrf = CSRF.search(page.text)
        response = self.url_open(
            f"/publication/renew/{subscription.id}",
            data={
                "csrf_token": csrf.group(1) if csrf else self.csrf,
                "access_token": token or subscription.sudo().access_token,
            },
            allow_redirects=False,
        )
        self.env.invalidate_all()
        return response

    def _location(self, response):
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        return urlsplit(response.headers["Location"]).path

    def test_get_shows_the_renewal_offer(self):
        subscription = self._ending_soon()
        response = self._get(subscription)
        self.assertEqual(response.status_code, 200)
        self.assertIn(subscription.name, response.text)
        self.assertIn("Renew and pay", response.text)
        self.assertIn('name="csrf_token"', response.text)

    def test_the_offer_says_1_copy_and_n_copies(self):
        one = self._ending_soon()
        self.assertIn("(1 copy)", self._get(one).text)
        three = self._ending_soon(recipient_id=self.bob.id, quantity=3)
        self.assertIn("(3 copies)", self._get(three).text)

    def test_post_renews_once_and_leads_to_its_invoice(self):
        subscription = self._ending_soon()
        old_end = subscription.date_end
        response = self._post(subscription)
        invoice = self._invoice(subscription).filtered(
            lambda i: i.payment_state == "not_paid"
        )
        self.assertEqual(len(subscription.period_ids), 2, "renewed")
        self.assertEqual(self._location(response), f"/my/invoices/{invoice.id}")
        self.assertEqual(self.url_open(response.headers["Location"]).status_code, 200)
        again = self._post(subscription)
        self.assertEqual(self._location(again), f"/my/invoices/{invoice.id}")
        self.assertEqual(len(subscription.period_ids), 2, "not renewed twice")
        self._pay(invoice)
        paid = self._post(subscription)
        self.assertEqual(paid.status_code, 200, "the page, not an error")
        self.assertNotIn("Renew and pay", paid.text)
        self.assertEqual(len(subscription.period_ids), 2, "not renewed after payment")
        self.assertEqual(subscription.date_end, old_end + relativedelta(years=1))

    def test_a_wrong_token_goes_to_my(self):
        subscription = self._ending_soon()
        for response in (
            self._get(subscription, token="wrong"),
            self._post(subscription, token="wrong"),
            self.url_open(
                f"/publication/renew/{subscription.id}", allow_redirects=False
            ),
        ):
            self.assertEqual(self._location(response), "/my")
        self.assertEqual(len(subscription.period_ids), 1)

    def test_a_closed_subscription_offers_no_renewal_nor_an_old_invoice(self):
        # delivered on payment grace, never paid: its invoice stays open
        self.monthly.payment_grace_days = 400
        unpaid = self._confirmed(date_start=self.today - relativedelta(months=11))
        self.monthly.payment_grace_days = 0
        expired = self._ending_soon(recipient_id=self.bob.id)
        cancelled = self._ending_soon(recipient_id=self.carol.id)
        unpaid._expire()
        expired._expire()
        cancelled.sudo()._cancel(self.today, self.reason_moved)
        self.assertTrue(unpaid._unpaid_invoice(), "an old invoice is open")
        for subscription in unpaid | expired | cancelled:
            for response in (self._get(subscription), self._post(subscription)):
                self.assertEqual(response.status_code, 200)
                self.assertIn("has ended", response.text)
                self.assertNotIn("Renew and pay", response.text)
                self.assertNotIn("/my/invoices", response.text)
            self.assertEqual(len(subscription.period_ids), 1, "not renewed")

    def test_a_free_copy_is_not_renewed_at_zero(self):
        member = self._ending_soon(origin="member")
        trial = self._ending_soon(
            recipient_id=self.bob.id,
            publication_id=self.daily.id,
            plan_id=self.plan_trial.id,
            date_start=self.today - timedelta(days=20),
        )
        for subscription in member | trial:
            response = self._post(subscription)
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("Renew and pay", response.text)
            self.assertEqual(len(subscription.period_ids), 1, "not renewed")

    def test_a_trial_at_its_end_converts_once_to_its_paid_offer(self):
        self.plan_trial.conversion_plan_id = self.plan_daily
        trial = self._confirmed(
            publication_id=self.daily.id,
            plan_id=self.plan_trial.id,
            date_start=self.today - timedelta(days=28),
        )
        self.assertEqual(trial.date_end, self.today, "its last day")
        page = self._get(trial)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Subscribe and pay", page.text)
        self.assertIn("Daily annual", page.text)
        response = self._post(trial)
        paid = trial.converted_subscription_id
        invoice = self._invoice(paid)
        self.assertEqual(self._location(response), f"/my/invoices/{invoice.id}")
        self.assertEqual(invoice.amount_untaxed, 300.0)
        again = self._post(trial)
        self.assertEqual(self._location(again), f"/my/invoices/{invoice.id}")
        Subscription = self.env["publication.subscription"]
        self.assertEqual(
            Subscription.search_count([("recipient_id", "=", self.alice.id)]), 2
        )
        self.assertEqual(len(trial.period_ids), 1, "the trial did not renew")
        after = self._get(trial)
        self.assertEqual(after.status_code, 200)
        self.assertIn(f"continues as <strong>{paid.name}</strong>", after.text)
