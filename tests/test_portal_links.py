import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import HelpdeskCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortalLinks(HelpdeskCommon, HttpCase):
    """Each link does only what it is for, over HTTP: the renewal link (the
    portal token, mailed to the payer) shows the offer, renews and pays; the
    unsubscribe link (its own HMAC token) unsubscribes; every change of
    /my/subscriptions needs the logged-in recipient (deliveries) or payer
    (cancellation). A gift's reader goes on at their own cost, never on the
    payer's account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()
        cls.alice.email = "alice@example.com"
        cls.bob.email = "bob@example.com"
        cls.monthly.write(
            {
                "complaint_team_id": cls.team.id,
                "pause_notice_days": 3,
                "portal_remedy": "none",
                "retention_discount": 10.0,
            }
        )
        cls.reason_price = cls.env.ref("publication_crm.churn_reason_price")

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env["res.partner"])
        self.own = self._active(date_start=self.today - relativedelta(months=2))
        self.gift = self._active(
            recipient_id=self.bob.id,
            payer_id=self.alice.id,
            origin="gift",
            plan_id=self.plan_issues.id,
            date_start=self.today - relativedelta(months=2),
        )
        # a session and a CSRF token of it, for a visitor's forged POST
        self.csrf = CSRF.search(self.url_open("/web/login").text).group(1)

    # -- helpers -----------------------------------------------------------
    def _login(self, user):
        self.authenticate(user.login, user.login)
        self.csrf = CSRF.search(self.url_open("/my/account").text).group(1)

    def _portal_token(self, subscription):
        return subscription.sudo()._portal_ensure_token()

    def _unsubscribe_token(self, subscription):
        return subscription.sudo()._unsubscribe_token()

    def _get(self, url, **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        response = self.url_open(
            f"{url}?{query}" if query else url, allow_redirects=False
        )
        self.env.invalidate_all()
        return response

    def _post(self, url, data=None, **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        response = self.url_open(
            f"{url}?{query}" if query else url,
            data={"csrf_token": self.csrf, **(data or {})},
            allow_redirects=False,
        )
        self.env.invalidate_all()
        return response

    def _location(self, response):
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        return urlsplit(response.headers["Location"])

    def _assert_to_login(self, response):
        location = self._location(response)
        self.assertEqual(location.path, "/web/login")
        self.assertTrue(parse_qs(location.query)["redirect"][0].startswith("/my/"))

    def _assert_to_my(self, response):
        self.assertEqual(self._location(response).path, "/my")

    def _pause_data(self):
        start = self.today + relativedelta(days=10)
        return {
            "date_from": fields.Date.to_string(start),
            "date_to": fields.Date.to_string(start + relativedelta(days=40)),
        }

    def _address_data(self):
        return {
            "street": "1 Lake Road",
            "zip": "10600",
            "city": "Southtown",
            "date_from": fields.Date.to_string(self.today + relativedelta(days=7)),
        }

    def _complaint_data(self, subscription):
        issue = subscription._portal_issues()[:1]
        return {"issue_id": issue.id, "kind": "missed"}

    def _cancel_data(self):
        return {
            "outcome": "cancelled",
            "churn_reason_id": self.reason_price.id,
            "date_cancel": fields.Date.to_string(self.today),
        }

    def _written(self, subscription):
        """What the actions of /my/subscriptions write on subscription."""
        subscription = subscription.sudo()
        tickets = self.env["helpdesk.ticket"].sudo()
        return {
            "pauses": len(subscription.pause_ids),
            "next_address": subscription.next_delivery_address_id.id,
            "tickets": tickets.search_count(
                [("subscription_id", "=", subscription.id)]
            ),
            "state": subscription.state,
            "cancel_planned": subscription.date_cancel_planned,
            "attempts": len(subscription.retention_attempt_ids),
            "periods": len(subscription.period_ids),
            "invoices": self.env["account.move"]
            .sudo()
            .search_count([("move_type", "=", "out_invoice")]),
            "subscriptions": self.env["publication.subscription"]
            .sudo()
            .search_count([]),
            "blacklisted": self.env["mail.blacklist"]
            .sudo()
            .search_count([("active", "=", True)]),
        }

    def _all_actions(self, subscription):
        """POST every action of /my/subscriptions/<id> with params."""
        url = f"/my/subscriptions/{subscription.id}"
        return {
            "pause": (f"{url}/pause", self._pause_data()),
            "address": (f"{url}/address", self._address_data()),
            "complaint": (f"{url}/complaint", self._complaint_data(subscription)),
            "cancel": (f"{url}/cancel", self._cancel_data()),
        }

    # -- the rule, in the model ------------------------------------------------
    def test_portal_check_actor_recipient_and_payer(self):
        own, gift = self.own.sudo(), self.gift.sudo()
        everything = {"address", "pause", "complaint", "cancel", "renew"}
        self.assertEqual(
            own._portal_allowed_actions(self.alice),
            everything | {"unsubscribe", "payment_method", "direct_debit", "seats"},
        )
        self.assertEqual(
            gift._portal_allowed_actions(self.bob), {"address", "pause", "complaint"}
        )
        self.assertEqual(
            gift._portal_allowed_actions(self.alice),
            {
                "cancel",
                "renew",
                "unsubscribe",
                "payment_method",
                "direct_debit",
                "seats",
            },
        )
        self.assertFalse(own._portal_allowed_actions(self.bob))
        public = self.env.ref("base.public_partner")
        self.assertFalse(own._portal_allowed_actions(public))
        for subscription, partner, action in (
            (gift, self.bob, "cancel"),
            (gift, self.bob, "renew"),
            (gift, self.bob, "direct_debit"),
            (gift, self.bob, "seats"),
            (gift, self.alice, "pause"),
            (gift, self.alice, "address"),
            (own, self.bob, "complaint"),
            (own, public, "pause"),
        ):
            with self.assertRaises(AccessError, msg=(partner.name, action)):
                subscription._portal_check_actor(partner, action)
        gift._portal_check_actor(self.bob, "pause")
        gift._portal_check_actor(self.alice, "cancel")
        # a company's contact acts for it (commercial partner)
        sponsored = self._active(
            recipient_id=self.carol.id,
            payer_id=self.sponsor.id,
            origin="sponsored",
            date_start=self.today - relativedelta(months=2),
        ).sudo()
        clerk = self.env["res.partner"].create(
            {"name": "Clerk", "parent_id": self.sponsor.id}
        )
        sponsored._portal_check_actor(clerk, "cancel")
        with self.assertRaises(AccessError):
            sponsored._portal_check_actor(clerk, "address")

    def test_links_lead_where_they_are_for(self):
        own = self.own.sudo()
        self.assertEqual(own.access_url, f"/my/subscriptions/{own.id}")
        self.assertTrue(own.get_portal_url().startswith(f"/my/subscriptions/{own.id}?"))
        self.assertEqual(
            own._renewal_url(),
            f"{own.get_base_url()}/publication/renew/{own.id}"
            f"?access_token={own.access_token}",
        )
        unsubscribe = own._unsubscribe_url()
        self.assertIn(f"/publication/unsubscribe/{own.id}?token=", unsubscribe)
        self.assertNotIn(own.access_token, unsubscribe)
        token = own._unsubscribe_token()
        self.assertTrue(own._check_unsubscribe_token(token))
        self.assertFalse(own._check_unsubscribe_token(own.access_token))
        self.assertFalse(self.gift.sudo()._check_unsubscribe_token(token))
        self.alice.email = "ALICE@example.com"
        self.assertEqual(own._unsubscribe_token(), token, "the normalised address")
        self.alice.email = "alice.new@example.com"
        self.assertFalse(own._check_unsubscribe_token(token), "another address")

    # -- /my/subscriptions/<id> --------------------------------------------
    def test_page_shows_each_actor_their_actions_only(self):
        url, gift_url = (f"/my/subscriptions/{s.id}" for s in (self.own, self.gift))
        deliveries = ("/pause", "/address", "/complaint")
        self._login(self.portal_alice)
        page = self._get(url)
        self.assertEqual(page.status_code, 200)
        for form in (*deliveries, "/cancel"):
            self.assertIn(url + form, page.text)
        gift = self._get(gift_url)
        self.assertIn(gift_url + "/cancel", gift.text, "Alice pays for Bob's copy")
        self.assertIn("Renew and pay", gift.text)
        for form in deliveries:
            self.assertNotIn(gift_url + form, gift.text, "Bob's deliveries")
        self._login(self.portal_bob)
        self._assert_to_my(self._get(url))
        gift = self._get(gift_url)
        for form in deliveries:
            self.assertIn(gift_url + form, gift.text)
        self.assertNotIn(gift_url + "/cancel", gift.text, "Alice's money")
        self.assertNotIn("Renew and pay", gift.text)
        self.assertIn("Go on reading", gift.text)

    def test_page_is_read_only_for_the_renewal_token_and_closed_to_the_other(self):
        url = f"/my/subscriptions/{self.own.id}"
        page = self._get(url, access_token=self._portal_token(self.own))
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.own.name, page.text)
        self.assertIn("Renew and pay", page.text, "the offer of the mailed link")
        self.assertIn("/web/login?redirect=", page.text)
        for form in ("/pause", "/address", "/complaint", "/cancel"):
            self.assertNotIn(f"{url}{form}", page.text)
        unsubscribe = self._unsubscribe_token(self.own)
        self._assert_to_my(self._get(url, access_token=unsubscribe))
        self._assert_to_my(self._get(url, token=unsubscribe))

    def test_changes_need_the_logged_in_recipient_or_payer(self):
        for subscription, actor, allowed in (
            (self.own, self.portal_alice, {"pause", "address", "complaint", "cancel"}),
            (self.gift, self.portal_bob, {"pause", "address", "complaint"}),
            (self.gift, self.portal_alice, {"cancel"}),
            (self.own, self.portal_bob, set()),
        ):
            self._login(actor)
            for action, (url, data) in self._all_actions(subscription).items():
                with self.subTest(subscription=subscription.name, actor=actor.login):
                    before = self._written(subscription)
                    response = self._post(url, data)
                    if action in allowed:
                        self.assertEqual(
                            self._location(response).path,
                            f"/my/subscriptions/{subscription.id}",
                            action,
                        )
                        self.assertNotEqual(self._written(subscription), before)
                    else:
                        self._assert_to_my(response)
                        self.assertEqual(self._written(subscription), before, action)
        own, gift = self.own.sudo(), self.gift.sudo()
        self.assertEqual(len(own.pause_ids), 1)
        self.assertEqual(own.state, "cancelled")
        self.assertEqual(len(gift.pause_ids), 1)
        self.assertEqual(gift.next_delivery_address_id.parent_id, self.bob)
        self.assertEqual(gift.state, "cancelled", "by Alice, its payer")

    def test_anonymous_changes_go_to_login_and_write_nothing(self):
        portal, unsubscribe = (
            self._portal_token(self.own),
            self._unsubscribe_token(self.own),
        )
        before = self._written(self.own)
        for token in (portal, unsubscribe):
            for action, (url, data) in self._all_actions(self.own).items():
                with self.subTest(action=action, token=token[:6]):
                    self._assert_to_login(self._post(url, data, access_token=token))
                    self._assert_to_login(
                        self._post(url, {**data, "access_token": token})
                    )
                    self._assert_to_login(self._post(url, data, token=token))
        self.assertEqual(self._written(self.own), before)

    def test_cancel_page_is_the_payers(self):
        url = f"/my/subscriptions/{self.gift.id}/cancel"
        for params in (
            {},
            {"access_token": self._portal_token(self.gift)},
            {"token": self._unsubscribe_token(self.gift)},
        ):
            self._assert_to_login(self._get(url, **params))
        self._login(self.portal_bob)
        self._assert_to_my(self._get(url))
        self._login(self.portal_alice)
        page = self._get(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Cancel my subscription", page.text)

    # -- /publication/renew/<id> ---------------------------------------------
    def _renewals(self, subscription):
        return len(subscription.sudo().period_ids)

    def test_renewal_link_renews_for_the_payer_only(self):
        url = f"/publication/renew/{self.own.id}"
        unsubscribe = self._unsubscribe_token(self.own)
        self._assert_to_my(self._get(url, access_token=unsubscribe))
        self._assert_to_my(self._post(url, {"access_token": unsubscribe}))
        self._assert_to_my(self._post(url, {"token": unsubscribe}))
        self.assertEqual(self._renewals(self.own), 1)
        self._login(self.portal_bob)
        self._assert_to_my(self._get(url))
        self._assert_to_my(self._post(url))
        self.assertEqual(self._renewals(self.own), 1)
        # the visitor holding the mailed link acts for the payer
        self.authenticate(None, None)
        self.csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        token = self._portal_token(self.own)
        page = self._get(url, access_token=token)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Renew and pay", page.text)
        response = self._post(url, {"access_token": token})
        self.assertEqual(self._renewals(self.own), 2)
        invoice = self._invoice(self.own).sorted("id")[-1]
        self.assertEqual(invoice.partner_id, self.alice)
        self.assertEqual(self._location(response).path, f"/my/invoices/{invoice.id}")

    def test_logged_in_payer_renews_without_token(self):
        self._login(self.portal_alice)
        url = f"/publication/renew/{self.own.id}"
        self.assertIn("Renew and pay", self._get(url).text)
        response = self._post(url)
        invoice = self._invoice(self.own).sorted("id")[-1]
        self.assertEqual(self._location(response).path, f"/my/invoices/{invoice.id}")
        self.assertEqual(self._renewals(self.own), 2)

    def test_gift_reader_goes_on_at_their_own_cost(self):
        gift = self.gift.sudo()
        alice_invoices = self.env["account.move"].search_count(
            [("partner_id", "=", self.alice.id)]
        )
        self._login(self.portal_bob)
        url = f"/publication/renew/{gift.id}"
        page = self._get(url)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Renew and pay", page.text)
        self.assertIn("Subscribe and pay", page.text)
        self.assertIn("60.00", page.text, "what it costs Bob")
        response = self._post(url)
        self.assertEqual(len(gift.period_ids), 1, "the gift is not renewed")
        self.assertEqual(
            self.env["account.move"].search_count([("partner_id", "=", self.alice.id)]),
            alice_invoices,
            "no invoice to the payer",
        )
        own = gift.converted_subscription_id
        self.assertRecordValues(
            own,
            [
                {
                    "recipient_id": self.bob.id,
                    "payer_id": self.bob.id,
                    "publication_id": self.monthly.id,
                    "plan_id": self.plan_issues.id,
                    "gift_subscription_id": gift.id,
                    "date_start": gift.date_end + timedelta(days=1),
                }
            ],
        )
        invoice = self._invoice(own)
        self.assertEqual(invoice.partner_id, self.bob)
        self.assertEqual(invoice.amount_untaxed, 60.0)
        self.assertEqual(self._location(response).path, f"/my/invoices/{invoice.id}")
        self.assertEqual(self.url_open(response.headers["Location"]).status_code, 200)
        again = self._post(url)
        self.assertEqual(self._location(again).path, f"/my/invoices/{invoice.id}")
        self.assertEqual(
            self.env["publication.subscription"].search_count(
                [("gift_subscription_id", "=", gift.id)]
            ),
            1,
            "once",
        )
        event = gift.renewal_event_ids.filtered(lambda e: e.kind == "gift_conversion")
        self.assertEqual(event.invoice_id, invoice)
        report = self.env["publication.renewal.report"]
        report._refresh()
        [row] = report.search([("period_id", "=", gift.period_ids.id)])
        self.assertEqual((row.renewed_count, row.gift_conversion_count), (1, 1))
        # the payer no longer renews a gift its reader went on from
        self._login(self.portal_alice)
        page = self._get(url)
        self.assertNotIn("Renew and pay", page.text)
        self.assertNotIn(invoice.name, page.text)
        self.assertEqual(self._post(url).status_code, 200)
        self.assertEqual(len(gift.period_ids), 1)

    def test_gift_conversion_keeps_its_dates(self):
        gift = self.gift.sudo()
        values = {
            "recipient_id": self.bob.id,
            "plan_id": self.plan_issues.id,
            "gift_subscription_id": gift.id,
        }
        with self.assertRaises(AccessError, msg="the add-on's doing only"):
            self._subscription(**values, date_start=gift.date_end + timedelta(1))
        with self.assertRaises(ValidationError, msg="not within the gift"):
            self.env["publication.subscription"].sudo().create(
                {
                    **values,
                    "publication_id": self.monthly.id,
                    "date_start": gift.date_end,
                }
            )
        own = gift._convert_gift()
        self.assertEqual(gift.state, "active", "the gift is delivered to its end")
        with self.assertRaises(ValidationError, msg="the gift's end stays before"):
            gift._write_state({"date_end": own.date_start})
        with self.assertRaises(UserError, msg="converted once"):
            gift._convert_gift()

    def test_anonymous_holder_of_the_gifts_link_renews_for_the_payer(self):
        gift = self.gift.sudo()
        token = self._portal_token(gift)
        url = f"/publication/renew/{gift.id}"
        self.assertIn("Renew and pay", self._get(url, access_token=token).text)
        self._post(url, {"access_token": token})
        self.assertEqual(len(gift.period_ids), 2)
        self.assertEqual(self._invoice(gift).partner_id, self.alice)
        self.assertFalse(gift.converted_subscription_id)

    def test_stranger_with_the_payers_link_renews_nothing(self):
        token = self._portal_token(self.own)
        self._login(self.portal_bob)
        url = f"/publication/renew/{self.own.id}"
        page = self._get(url, access_token=token)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Renew and pay", page.text)
        self.assertEqual(self._post(url, {"access_token": token}).status_code, 200)
        self.assertEqual(self._renewals(self.own), 1)

    # -- /publication/unsubscribe/<id> -----------------------------------------
    def _blacklisted(self):
        return self.env["mail.blacklist"].search_count(
            [("email", "=", "alice@example.com")]
        )

    def test_unsubscribe_link_needs_its_own_token(self):
        url = f"/publication/unsubscribe/{self.own.id}"
        portal = self._portal_token(self.own)
        for params in ({"access_token": portal}, {"token": portal}, {}):
            self._assert_to_my(self._get(url, **params))
            self._assert_to_my(self._post(url, params))
        self.assertFalse(self._blacklisted())
        self._login(self.portal_bob)
        self._assert_to_my(self._post(url))
        self.assertFalse(self._blacklisted())
        self.authenticate(None, None)
        self.csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        token = self._unsubscribe_token(self.own)
        page = self._get(url, token=token)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Stop offers", page.text)
        self.assertNotIn(portal, page.text)
        self.assertFalse(self._blacklisted(), "GET changes nothing")
        response = self._post(url, {"token": token})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self._blacklisted())

    def test_logged_in_payer_unsubscribes_without_token(self):
        self._login(self.portal_alice)
        response = self._post(f"/publication/unsubscribe/{self.gift.id}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self._blacklisted())

    def test_reader_of_a_gift_does_not_unsubscribe_the_payer(self):
        self._login(self.portal_bob)
        self._assert_to_my(self._post(f"/publication/unsubscribe/{self.gift.id}"))
        self.assertFalse(self._blacklisted())

    # -- a back-office user keeps the ORM rules ------------------------------
    def test_internal_user_has_no_portal_role(self):
        clerk = new_test_user(
            self.env,
            login="clerk",
            groups="publication_crm.group_publication_user",
            company_ids=[Command.set(self.env.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.own.sudo()._portal_check_actor(clerk.partner_id, "cancel")
