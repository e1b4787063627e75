import re

from dateutil.relativedelta import relativedelta
from lxml import html

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_amount, format_date

from .common import HelpdeskCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestRetentionPortal(HelpdeskCommon, HttpCase):
    """/my/subscriptions/<id>/cancel over HTTP: the save offers, then the
    cancellation or the offer taken, each recorded; refusals write nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()
        cls.monthly.write(
            {
                "retention_pause": True,
                "retention_plan_id": cls.plan_monthly_digital.id,
                "retention_discount": 15.0,
            }
        )
        cls.reason_price = cls.env.ref("publication_crm.churn_reason_price")

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env["res.partner"])
        self.subscription = self._active(
            date_start=self.today - relativedelta(months=2)
        )
        self.url = f"/my/subscriptions/{self.subscription.id}/cancel"

    def _attempts(self):
        return self.env["publication.retention.attempt"].search(
            [("subscription_id", "=", self.subscription.id)]
        )

    def _post(self, token=None, csrf=True, **data):
        query = f"?access_token={token}" if token else ""
        page = self.url_open(self.url + query, allow_redirects=False)
        if csrf:
            data["csrf_token"] = CSRF.search(page.text).group(1)
        data.setdefault("churn_reason_id", self.reason_price.id)
        response = self.url_open(self.url + query, data=data, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def _assert_redirect(self, response, path):
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        self.assertTrue(
            response.headers["Location"].split("?")[0].endswith(path),
            response.headers["Location"],
        )

    def test_page_shows_the_save_offers_and_reasons(self):
        self.authenticate("portal_alice", "portal_alice")
        page = self.url_open(f"/my/subscriptions/{self.subscription.id}").text
        self.assertIn(self.url, page, "the subscription page leads to the step")
        response = self.url_open(self.url)
        self.assertEqual(response.status_code, 200)
        for text in ("Pause instead", "E-paper", "15% off", "Too expensive"):
            self.assertIn(text, response.text)
        self.assertNotIn("Not renewed", response.text, "a reason of the add-on's")
        self.monthly.write({"retention_pause": False, "retention_discount": 0})
        response = self.url_open(self.url)
        self.assertNotIn("Pause instead", response.text)
        self.assertNotIn("% off", response.text)

    def test_discount_taken_keeps_the_subscription(self):
        self.authenticate("portal_alice", "portal_alice")
        response = self._post(outcome="discount")
        self._assert_redirect(response, f"/my/subscriptions/{self.subscription.id}")
        self.assertIn(
            "Thank you for staying", self.url_open(response.headers["Location"]).text
        )
        self.assertEqual(self.subscription.state, "active")
        self.assertEqual(self.subscription.next_discount, 15.0)
        page = self.url_open(f"/my/subscriptions/{self.subscription.id}").text
        self.assertIn("102.00", page, "the next payment: 120 less 15 %")
        self.assertRecordValues(
            self._attempts(),
            [
                {
                    "outcome": "discount",
                    "channel": "portal",
                    "churn_reason_id": self.reason_price.id,
                }
            ],
        )

    def _texts(self, page, selector):
        return [
            " ".join(node.text_content().split())
            for node in html.fromstring(page).cssselect(selector)
        ]

    def test_discount_names_its_term_in_one_currency_format(self):
        """The offer, the answer and the page say which term costs what, with
        the dates and amounts formatted as the page's other ones."""
        self.authenticate("portal_alice", "portal_alice")
        start = self.subscription.date_end + relativedelta(days=1)
        end = start + relativedelta(years=1, days=-1)
        term = f"{format_date(self.env, start)} to {format_date(self.env, end)}"
        currency = self.subscription.currency_id
        # as the page's text reads (a no-break space between symbol and figure)
        discounted = format_amount(self.env, 102.0, currency).replace("\xa0", " ")
        regular = format_amount(self.env, 120.0, currency).replace("\xa0", " ")
        [offer] = self._texts(self.url_open(self.url).text, ".o_retention_discount p")
        self.assertEqual(
            offer, f"Your term from {term} for {discounted} instead of {regular}."
        )
        [plan] = self._texts(self.url_open(self.url).text, ".o_retention_plan p")
        self.assertIn(f"Your term from {term} for", plan)
        response = self._post(outcome="discount")
        page = self.url_open(response.headers["Location"]).text
        [message] = self._texts(page, ".o_subscription_message")
        self.assertEqual(
            message,
            f"Thank you for staying: your term from {term} costs {discounted} "
            f"instead of {regular}.",
        )
        self.assertNotIn(currency.name, message)
        [row] = self._texts(page, ".o_subscription_next_term td")
        self.assertEqual(row, f"{term}: {discounted} instead of {regular} (15% off)")

    def test_portal_users_read_no_attempt(self):
        self.authenticate("portal_alice", "portal_alice")
        self._post(outcome="discount")
        attempt = self._attempts()
        self.assertEqual(len(attempt), 1)
        with self.assertRaises(AccessError):
            attempt.with_user(self.portal_alice).read(["outcome"])
        with self.assertRaises(AccessError):
            self.subscription.with_user(self.portal_alice).read(
                ["retention_attempt_ids"]
            )

    def test_plan_and_pause_taken(self):
        self.authenticate("portal_alice", "portal_alice")
        self._post(outcome="plan")
        self.assertEqual(self.subscription.next_plan_id, self.plan_monthly_digital)
        start = self.today + relativedelta(days=10)
        response = self._post(
            outcome="pause",
            date_from=fields.Date.to_string(start),
            date_to=fields.Date.to_string(start + relativedelta(days=40)),
        )
        self._assert_redirect(response, f"/my/subscriptions/{self.subscription.id}")
        self.assertEqual(len(self.subscription.pause_ids), 1)
        self.assertEqual(self._attempts().mapped("outcome"), ["pause", "plan"])

    def test_cancel_anyway_today_and_later(self):
        self.authenticate("portal_alice", "portal_alice")
        later = self.today + relativedelta(days=20)
        response = self._post(
            outcome="cancelled", date_cancel=fields.Date.to_string(later)
        )
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("you receive your copies", page)
        self.assertEqual(self.subscription.date_cancel_planned, later)
        self.assertEqual(self.subscription.state, "active")
        self.assertNotIn("Cancel my subscription", page, "already planned")
        other = self._active(recipient_id=self.bob.id, payer_id=self.alice.id)
        self.url = f"/my/subscriptions/{other.id}/cancel"
        self._post(outcome="cancelled", date_cancel=fields.Date.to_string(self.today))
        self.assertEqual(other.state, "cancelled")
        self.assertEqual(other.churn_reason_id, self.reason_price)

    def test_refusals_show_why_and_write_nothing(self):
        self.authenticate("portal_alice", "portal_alice")
        counts = self._counts()
        yesterday = fields.Date.to_string(self.today - relativedelta(days=1))
        for data, message in (
            (
                {
                    "outcome": "cancelled",
                    "churn_reason_id": "",
                    "date_cancel": yesterday,
                },
                "churn reason",
            ),
            ({"outcome": "cancelled", "date_cancel": yesterday}, "in the past"),
            ({"outcome": "cancelled", "date_cancel": "soon"}, "valid date"),
            (
                {"outcome": "pause", "date_from": yesterday, "date_to": yesterday},
                "notice",
            ),
            ({"outcome": "refund"}, "not a save offer"),
        ):
            response = self._post(**data)
            self.assertEqual(response.status_code, 400, data)
            self.assertIn(message, response.text)
            self.assertIn("Before you go", response.text, "the step again")
        self.assertEqual(self._counts(), counts)
        self.assertFalse(self._attempts())
        self.assertEqual(self.subscription.state, "active")
        csrf = CSRF.search(self.url_open(self.url).text).group(1)
        self.subscription.sudo()._cancel(self.today, self.reason_moved)
        page = self.url_open(self.url)
        self.assertIn("This subscription has ended", page.text)
        response = self.url_open(
            self.url,
            data={
                "csrf_token": csrf,
                "outcome": "discount",
                "churn_reason_id": self.reason_price.id,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("needs an open subscription", response.text)
        self.assertFalse(self._attempts())

    def test_post_without_csrf_is_refused(self):
        self.authenticate("portal_alice", "portal_alice")
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self._post(csrf=False, outcome="discount")
        self.assertEqual(response.status_code, 400)
        self.assertIn("No CSRF validation token", logs.output[0])
        self.assertFalse(self.subscription.next_discount)

    def test_another_partners_subscription_is_refused(self):
        self.authenticate("portal_bob", "portal_bob")
        self._assert_redirect(self.url_open(self.url, allow_redirects=False), "/my")
        csrf = CSRF.search(self.url_open("/my/account").text).group(1)
        response = self.url_open(
            self.url,
            data={
                "csrf_token": csrf,
                "outcome": "cancelled",
                "churn_reason_id": self.reason_price.id,
                "date_cancel": fields.Date.to_string(self.today),
            },
            allow_redirects=False,
        )
        self._assert_redirect(response, "/my")
        self.env.invalidate_all()
        self.assertEqual(self.subscription.state, "active")
        self.assertFalse(self._attempts())

    def test_anonymous_visitor_is_sent_to_log_in(self):
        self._assert_redirect(
            self.url_open(self.url, allow_redirects=False), "/web/login"
        )
        token = self.subscription.sudo()._portal_ensure_token()
        page = self.url_open(f"{self.url}?access_token={token}", allow_redirects=False)
        self._assert_redirect(page, "/web/login")
        csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        for query in ("?access_token=wrong", f"?access_token={token}"):
            refused = self.url_open(
                self.url + query,
                data={
                    "csrf_token": csrf,
                    "outcome": "discount",
                    "churn_reason_id": self.reason_price.id,
                },
                allow_redirects=False,
            )
            self._assert_redirect(refused, "/web/login")
        self.env.invalidate_all()
        self.assertFalse(self.subscription.next_discount)
        self.assertFalse(self._attempts())

    def test_recipient_who_does_not_pay_may_not_cancel(self):
        gift = self._active(recipient_id=self.bob.id, payer_id=self.alice.id)
        self.url = f"/my/subscriptions/{gift.id}/cancel"
        self.authenticate("portal_bob", "portal_bob")
        self._assert_redirect(self.url_open(self.url, allow_redirects=False), "/my")
        page = self.url_open(f"/my/subscriptions/{gift.id}")
        self.assertNotIn(self.url, page.text)
        response = self.url_open(
            self.url,
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                "outcome": "cancelled",
                "churn_reason_id": self.reason_price.id,
                "date_cancel": fields.Date.to_string(self.today),
            },
            allow_redirects=False,
        )
        self._assert_redirect(response, "/my")
        self.env.invalidate_all()
        self.assertEqual(gift.state, "active")
