import re

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import html

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_date

from .common import HelpdeskCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestSubscriptionPortal(HelpdeskCommon, HttpCase):
    """/my/subscriptions over HTTP: a portal user sees and acts on the
    subscriptions they receive or pay for, and nothing else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()
        cls.monthly.write(
            {
                "complaint_team_id": cls.team.id,
                "pause_notice_days": 3,
                "max_pauses_per_year": 2,
            }
        )

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env["res.partner"])
        self.subscription = self._active(
            date_start=self.today - relativedelta(months=2)
        )

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _page(self, subscription, token=None):
        url = f"/my/subscriptions/{subscription.id}"
        if token:
            url += f"?access_token={token}"
        return self.url_open(url, allow_redirects=False)

    def _post(self, subscription, action, token=None, csrf=True, **data):
        """Submit a form of the subscription's page with its CSRF token."""
        page = self._page(subscription, token)
        if csrf:
            data["csrf_token"] = CSRF.search(page.text).group(1)
        url = f"/my/subscriptions/{subscription.id}/{action}"
        if token:
            url += f"?access_token={token}"
        response = self.url_open(url, data=data, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def _pause_data(self, start_in_days, days=6):
        """A pause from start_in_days days on, over the next issue after it."""
        start = self.today + relativedelta(days=start_in_days)
        issue = self.monthly.issue_ids.filtered(lambda i: i.date >= start)
        days = max(days, (min(issue.mapped("date")) - start).days + 1)
        return {
            "date_from": fields.Date.to_string(start),
            "date_to": fields.Date.to_string(start + relativedelta(days=days)),
        }

    def _assert_redirect(self, response, path):
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        self.assertTrue(
            response.headers["Location"].split("?")[0].endswith(path),
            response.headers["Location"],
        )

    # -- list, page, access --------------------------------------------------
    def test_home_counter_and_list_for_recipient_and_payer(self):
        sponsored = self._confirmed(
            recipient_id=self.bob.id,
            origin="sponsored",
            payer_id=self.alice.id,
            quantity=200,
            date_start=self.today,
        )
        self._subscription(recipient_id=self.carol.id, payer_id=self.alice.id)  # draft
        other = self._confirmed(recipient_id=self.carol.id)
        self._login(self.portal_alice)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["subscription_count"]}
        )
        self.assertEqual(counters["subscription_count"], 2)
        self.assertIn("/my/subscriptions", self.url_open("/my").text)
        response = self.url_open("/my/subscriptions")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.subscription.name, response.text)
        self.assertIn(sponsored.name, response.text, "paid for Bob")
        self.assertNotIn(other.name, response.text)
        self.assertIn("Next Payment", response.text)

    def test_page_of_own_subscription_shows_its_actions(self):
        self._login(self.portal_alice)
        response = self._page(self.subscription)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.subscription.name, response.text)
        for action in ("/pause", "/complaint", "Renew and pay"):
            self.assertIn(action, response.text)

    def test_another_partners_subscription_is_refused(self):
        self._login(self.portal_bob)
        self._assert_redirect(self._page(self.subscription), "/my")
        response = self.url_open(
            f"/my/subscriptions/{self.subscription.id}/pause",
            data={**self._pause_data(10), "csrf_token": self._bob_csrf()},
            allow_redirects=False,
        )
        self._assert_redirect(response, "/my")
        self.assertFalse(self.subscription.pause_ids)

    def _bob_csrf(self):
        return CSRF.search(self.url_open("/my/account").text).group(1)

    def test_anonymous_visitor_needs_the_token_and_only_reads(self):
        self._assert_redirect(self._page(self.subscription), "/my")
        self._assert_redirect(self._page(self.subscription, token="wrong"), "/my")
        self._assert_redirect(
            self.url_open("/my/subscriptions", allow_redirects=False), "/web/login"
        )
        token = self.subscription.sudo()._portal_ensure_token()
        response = self._page(self.subscription, token=token)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.subscription.name, response.text)
        self.assertNotIn(
            f"/my/subscriptions/{self.subscription.id}/pause", response.text
        )
        # a change needs a login: the token (mailed to the payer) gives none
        refused = self._post(self.subscription, "pause", token, **self._pause_data(10))
        self._assert_redirect(refused, "/web/login")
        self.assertFalse(self.subscription.pause_ids)
        refused = self.url_open(
            f"/my/subscriptions/{self.subscription.id}/pause?access_token=wrong",
            data={
                **self._pause_data(60),
                "csrf_token": CSRF.search(response.text).group(1),
            },
            allow_redirects=False,
        )
        self._assert_redirect(refused, "/web/login")
        self.env.invalidate_all()
        self.assertFalse(self.subscription.pause_ids)

    def test_portal_user_reads_no_internal_field_over_rpc(self):
        subscription = self.subscription.with_user(self.portal_alice)
        self.assertEqual(subscription.read(["name"])[0]["name"], self.subscription.name)
        for field in ("automation_error", "note", "churn_note", "amount_due"):
            with self.assertRaises(AccessError):
                subscription.read([field])
        with self.assertRaises(AccessError):
            self.subscription.with_user(self.portal_bob).read(["name"])
        ticket = self._ticket(self.alice)
        ticket.message_subscribe(partner_ids=self.alice.ids)
        for field in (
            "route_id",
            "escalated_date",
            "response_time",
            "response_deadline",
        ):
            with self.assertRaises(AccessError):
                ticket.with_user(self.portal_alice).read([field])

    # -- pause ---------------------------------------------------------------
    def test_pause_moves_the_end_and_shows_it(self):
        self._login(self.portal_alice)
        old_end = self.subscription.date_end
        response = self._post(self.subscription, "pause", **self._pause_data(10))
        self._assert_redirect(response, f"/my/subscriptions/{self.subscription.id}")
        pause = self.subscription.pause_ids
        self.assertEqual(len(pause), 1)
        self.assertGreater(self.subscription.date_end, old_end)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("Delivery is paused from", page)
        self.assertIn(
            fields.Date.to_string(self.subscription.date_end)[:4], page, "the new end"
        )

    def test_pause_refusals_write_nothing(self):
        self._login(self.portal_alice)
        self._post(self.subscription, "pause", **self._pause_data(10))
        counts = self._counts()
        end = self.subscription.date_end
        for data, message in (
            (self._pause_data(1), "days&#39; notice"),  # too late
            (self._pause_data(-5), "days&#39; notice"),  # in the past
            (self._pause_data(12), "overlaps"),
            ({"date_from": "soon", "date_to": "later"}, "valid date"),
        ):
            response = self._post(self.subscription, "pause", **data)
            self.assertEqual(response.status_code, 400, data)
            self.assertIn(message, response.text)
        self.assertEqual(self._counts(), counts)
        self.assertEqual(self.subscription.date_end, end)

    def test_pauses_per_year_and_closed_subscription(self):
        self.monthly.max_pauses_per_year = 1
        self._login(self.portal_alice)
        start = self.today + relativedelta(days=10)
        # a second pause in the same year as the first is refused
        next_year = start.replace(year=start.year + 1, month=1, day=20)
        first = {
            "date_from": fields.Date.to_string(next_year),
            "date_to": fields.Date.to_string(next_year + relativedelta(days=3)),
        }
        second = {
            "date_from": fields.Date.to_string(next_year + relativedelta(days=10)),
            "date_to": fields.Date.to_string(next_year + relativedelta(days=12)),
        }
        self._assert_redirect(
            self._post(self.subscription, "pause", **first),
            f"/my/subscriptions/{self.subscription.id}",
        )
        response = self._post(self.subscription, "pause", **second)
        self.assertEqual(response.status_code, 400)
        self.assertIn("the most", response.text)
        self.subscription.sudo()._cancel(self.today, self.reason_moved)
        response = self.url_open(
            f"/my/subscriptions/{self.subscription.id}/pause",
            data={**self._pause_data(40), "csrf_token": self._bob_csrf()},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("needs an open subscription", response.text)
        self.assertEqual(len(self.subscription.pause_ids), 1)

    def test_post_without_csrf_is_refused(self):
        self._login(self.portal_alice)
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self._post(
                self.subscription, "pause", csrf=False, **self._pause_data(10)
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("No CSRF validation token", logs.output[0])
        self.assertFalse(self.subscription.pause_ids)

    # -- address ---------------------------------------------------------------
    def _address(self, in_days, **values):
        date = self.today + relativedelta(days=in_days)
        data = {"street": "1 Lake Road", "zip": "10600", "city": "Southtown"} | values
        return self._post(
            self.subscription, "address", date_from=fields.Date.to_string(date), **data
        )

    def test_move_is_planned_and_applied_by_the_scheduled_action(self):
        self._login(self.portal_alice)
        response = self._address(7)
        self._assert_redirect(response, f"/my/subscriptions/{self.subscription.id}")
        subscription = self.subscription.sudo()
        address = subscription.next_delivery_address_id
        self.assertEqual(address.parent_id, self.alice)
        self.assertEqual(address.type, "delivery")
        self.assertEqual(
            subscription.next_delivery_address_date,
            self.today + relativedelta(days=7),
        )
        self.assertNotEqual(subscription.delivery_address_id, address, "not yet")
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("Your copies go to 1 Lake Road", page)
        later = self.today + relativedelta(days=7)
        with freeze_time(later):
            subscription.search(
                subscription._planned_address_change_domain(later)
            )._apply_planned_address_change()
        self.assertEqual(subscription.delivery_address_id, address)
        self.assertEqual(subscription.route_id, self.route_south)

    def test_move_refusals_write_nothing(self):
        self._login(self.portal_alice)
        partners = self.env["res.partner"].search_count([])
        for response, message in (
            (self._address(-1), "is in the past"),
            (self._address(3, street=""), "street"),
        ):
            self.assertEqual(response.status_code, 400)
            self.assertIn(message, response.text)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertFalse(self.subscription.sudo().next_delivery_address_id)

    # -- where the copies go ---------------------------------------------------
    def _delivered_to(self, page):
        """The text of the page's "Delivered to" row, or None without one."""
        rows = html.fromstring(page).cssselect(".o_subscription_delivery_address td")
        return " ".join(" ".join(rows[0].itertext()).split()) if rows else None

    def test_page_shows_where_the_copies_go_to_recipient_and_payer(self):
        """A gift: Bob reads, Alice pays; both see where the copies go, also
        a holiday pause and a planned move; the holder of the link sees the
        subscription, not the address."""
        self.bob.write({"street": "7 Mill Lane", "city": "Southtown"})
        gift = self._active(
            recipient_id=self.bob.id,
            payer_id=self.alice.id,
            date_start=self.today - relativedelta(months=1),
        )
        for user in (self.portal_bob, self.portal_alice):
            self._login(user)
            response = self._page(gift)
            self.assertEqual(response.status_code, 200)
            delivered_to = self._delivered_to(response.text)
            self.assertIn("7 Mill Lane", delivered_to, user.login)
            self.assertIn("Southtown", delivered_to)
        self.assertNotIn(
            "7 Mill Lane", self._delivered_to(self._page(self.subscription).text)
        )
        # a pause today, then a move planned by the reader
        gift.sudo()._pause(self.today, self.today + relativedelta(days=20))
        self._login(self.portal_bob)
        start = self.today + relativedelta(days=7)
        self._post(
            gift,
            "address",
            date_from=fields.Date.to_string(start),
            street="1 Lake Road",
            zip="10100",
            city="Northtown",
        )
        delivered_to = self._delivered_to(self._page(gift).text)
        self.assertIn("7 Mill Lane", delivered_to, "until the move")
        self.assertIn("No copies until", delivered_to)
        self.assertIn("1 Lake Road", delivered_to)
        self.assertIn(format_date(self.env, start), delivered_to)
        # a digital copy has no postal address to show
        self._login(self.portal_alice)
        digital = self._active(
            recipient_id=self.carol.id,
            payer_id=self.alice.id,
            plan_id=self.plan_monthly_digital.id,
        )
        self.assertIsNone(self._delivered_to(self._page(digital).text))
        # the link mailed to the payer shows no address, logged out or not
        token = gift.sudo()._portal_ensure_token()
        self.authenticate(None, None)
        response = self._page(gift, token=token)
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(self._delivered_to(response.text))
        self._login(self.portal_alice)
        other = self._active(
            recipient_id=self.carol.id,
            publication_id=self.daily.id,
            plan_id=self.plan_daily.id,
        )
        response = self._page(other, token=other.sudo()._portal_ensure_token())
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(self._delivered_to(response.text))

    # -- complaint -----------------------------------------------------------
    def _tickets(self):
        return (
            self.env["helpdesk.ticket"]
            .sudo()
            .search([("subscription_id", "=", self.subscription.id)])
        )

    def _last_issue(self):
        return self.subscription._portal_issues()[:1]

    def test_missing_copy_opens_a_ticket_with_the_automatic_remedy(self):
        self.monthly.portal_remedy = "resend"
        issue = self._last_issue()
        self._login(self.portal_alice)
        response = self._post(
            self.subscription,
            "complaint",
            issue_id=issue.id,
            kind="missed",
            description="Not in my letterbox",
        )
        self._assert_redirect(response, f"/my/subscriptions/{self.subscription.id}")
        ticket = self._tickets()
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.issue_id, issue)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.category_id, self.cat_missed)
        self.assertEqual(ticket.partner_id, self.alice)
        self.assertEqual(ticket.replacement_ids.issue_id, issue)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn(ticket.number, page)
        self.assertIn("sent to you again", page)

    def test_damaged_copy_extends_or_waits_for_the_team(self):
        self.monthly.portal_remedy = "extend"
        end = self.subscription.date_end
        self._login(self.portal_alice)
        issue = self._last_issue()
        self._post(self.subscription, "complaint", issue_id=issue.id, kind="damaged")
        self.assertGreater(self.subscription.date_end, end)
        self.assertEqual(self._tickets().category_id, self.cat_damaged)
        self.monthly.portal_remedy = "none"
        earlier = self.subscription._portal_issues()[1:2]
        response = self._post(
            self.subscription, "complaint", issue_id=earlier.id, kind="missed"
        )
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("Our subscriber service answers soon", page)

    def test_repeated_report_joins_the_first_ticket_without_a_second_remedy(self):
        self._login(self.portal_alice)
        for remedy, issue in (
            ("extend", self._last_issue()),
            ("resend", self.subscription._portal_issues()[1:2]),
        ):
            self.monthly.portal_remedy = remedy
            end = self.subscription.date_end
            answers = []
            for kind, text in (
                ("missed", "Not in my letterbox"),
                ("missed", "Still nothing"),
                ("damaged", "It came torn"),
            ):
                response = self._post(
                    self.subscription,
                    "complaint",
                    issue_id=issue.id,
                    kind=kind,
                    description=text,
                )
                answers.append(self.url_open(response.headers["Location"]).text)
            ticket = self._tickets().filtered(lambda t, i=issue: t.issue_id == i)
            self.assertEqual(len(ticket), 1, "the repeated reports join the first")
            self.assertEqual(ticket.report_count, 3)
            self.assertEqual(ticket.category_id, self.cat_missed)
            if remedy == "extend":
                later = self.monthly.issue_ids.filtered(lambda i, e=end: i.date > e)
                next_issue = min(later.mapped("date"))
                self.assertEqual(self.subscription.date_end, next_issue, "once")
            else:
                self.assertEqual(self.subscription.date_end, end)
                self.assertEqual(ticket.replacement_ids.quantity, 1, "sent once")
            readers = ticket.message_ids.filtered(
                lambda m: m.author_id == self.alice and m.message_type == "comment"
            )
            self.assertEqual(len(readers), 2)
            self.assertIn("Still nothing", "".join(readers.mapped("body")))
            self.assertIn("It came torn", "".join(readers.mapped("body")))
            self.assertIn("is registered", answers[0])
            for answer in answers[1:]:
                self.assertIn("You have already reported issue", answer)
                self.assertIn(ticket.number, answer)

    def test_complaint_for_an_issue_not_delivered_is_refused(self):
        foreign = self.monthly.issue_ids.filtered(lambda i: i.date > self.today)[:1]
        self._login(self.portal_alice)
        counts = self.env["helpdesk.ticket"].search_count([])
        response = self._post(
            self.subscription, "complaint", issue_id=foreign.id, kind="missed"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not an issue delivered to", response.text)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), counts)
