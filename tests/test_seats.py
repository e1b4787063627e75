"""Digital seats of an organisation's subscription: the payer's members read
digitally while the subscription gives access; seats by invitation (a mailed
link that only accepts the seat) and by e-mail domain at login; the payer
manages them on the portal."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .test_entitlements import URL, EntitlementCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SEAT_URL = re.compile(r"(/publication/seat/\d+/accept\?token=[0-9a-f]+)")


class SeatCommon(EntitlementCommon):
    """The Town Library (a company) pays the monthly with digital seats; its
    payer logs in to the portal as the librarian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payer_user = new_test_user(
            cls.env,
            login="seat_payer",
            groups="base.group_portal",
            partner_id=cls.librarian.id,
        )
        cls.other_user = new_test_user(
            cls.env,
            login="seat_other",
            groups="base.group_portal",
            name="Otto Other",
        )
        cls.member = cls._reader("Mervi")

    def _organisation(self, seats=2, **vals):
        subscription = self._open(self.library, **vals)
        subscription.seat_count = seats
        return subscription

    def _portal_user(self, login, domain="library.example.com"):
        return new_test_user(
            self.env, login=login, groups="base.group_portal", email=f"{login}@{domain}"
        )

    def _seat(self, subscription, partner):
        return self.env["publication.subscription.seat"].create(
            {"subscription_id": subscription.id, "partner_id": partner.id}
        )

    def _invitation_url(self, email):
        """The accept link of the last invitation mailed to email."""
        mail = self.env["mail.mail"].search(
            [("email_to", "=", email)], order="id desc", limit=1
        )
        self.assertTrue(mail, f"an invitation is mailed to {email}")
        return SEAT_URL.search(mail.body_html).group(1)


@tagged("post_install", "-at_install")
class TestSeats(SeatCommon):
    def test_a_seat_reads_digitally_and_ends_with_the_subscription(self):
        subscription = self._organisation()
        self._seat(subscription, self.member)
        self.assertRecordValues(
            self._entitlements(self.member),
            [
                {
                    "subscription_id": subscription.id,
                    "reason": "seat",
                    "edition": "digital",
                    "access_edition": "digital",
                    "grants_access": True,
                    "date_until": subscription.date_end,
                }
            ],
        )
        terms = self.env["publication.entitlement"]._lookup(
            "email", "mervi@example.com"
        )
        self.assertEqual(
            [(t["reason"], t["edition"]) for t in terms], [("seat", "digital")]
        )
        subscription._expire()
        self.assertFalse(self._entitlements(self.member).grants_access)
        self.assertEqual(
            self.env["publication.entitlement"]._lookup("email", "mervi@example.com"),
            [],
        )

    def test_removed_seats_and_print_pauses(self):
        subscription = self._organisation()
        seat = self._seat(subscription, self.member)
        subscription._pause(self.today - timedelta(days=1), self.today + timedelta(5))
        self.assertRecordValues(
            self._entitlements(self.member),
            [{"is_paused": True, "access_edition": "digital", "grants_access": True}],
        )
        seat._remove()
        self.assertEqual(seat.state, "removed")
        self.assertFalse(self._entitlements(self.member))

    def test_a_member_who_reads_already_has_one_row(self):
        subscription = self._organisation()
        self._seat(subscription, self.librarian)
        self.assertRecordValues(
            self._entitlements(self.librarian),
            [{"reason": "organisation", "grants_access": True}],
        )

    def test_seats_taken_never_exceed_the_seats_bought(self):
        subscription = self._organisation(seats=1)
        self._seat(subscription, self.member)
        with self.assertRefused(
            ValidationError, "has 1 digital seat(s) and 2 would be taken"
        ):
            self._seat(subscription, self._reader("Kalle"))
        with self.assertRefused(ValidationError, "2 would be taken"):
            subscription._portal_invite_seat("x@example.com")

    def test_fewer_seats_than_members_and_bad_inputs_are_refused(self):
        subscription = self._organisation(seats=2)
        self._seat(subscription, self.member)
        self._seat(subscription, self._reader("Kalle"))
        with self.assertRefused(ValidationError, "2 would be taken"):
            subscription.seat_count = 1
        with self.assertRefused(ValidationError, "not not-a-domain@x"):
            subscription.seat_domain = "not-a-domain@x"
        with self.assertRefused(ValidationError, "Invited E-mail nobody is not"):
            self.env["publication.subscription.seat"].create(
                {"subscription_id": subscription.id, "email": "nobody"}
            )

    def test_the_invitation_mails_a_link_that_accepts_that_seat_only(self):
        subscription = self._organisation()
        seat = subscription._portal_invite_seat("New.Member@Example.com")
        self.assertRecordValues(
            seat, [{"state": "invited", "email": "new.member@example.com"}]
        )
        url = self._invitation_url("new.member@example.com")
        token = parse_qs(urlparse(url).query)["token"][0]
        self.assertTrue(seat._check_invitation_token(token))
        other = subscription._portal_invite_seat("someone@example.com")
        self.assertFalse(other._check_invitation_token(token))
        self.assertFalse(seat._check_invitation_token(token[:-1]))
        self.assertFalse(subscription._check_unsubscribe_token(token))
        self.assertEqual(seat._accept(self.member), seat)
        self.assertRecordValues(
            seat, [{"state": "active", "partner_id": self.member.id}]
        )
        self.assertFalse(seat._check_invitation_token(token), "used")

    def test_members_of_the_domain_take_free_seats_when_they_log_in(self):
        self.env["ir.config_parameter"].set_param("auth_signup.invitation_scope", "b2b")
        subscription = self._organisation(seats=1)
        subscription.seat_domain = "Library.Example.com"
        colleague = self._portal_user("colleague")
        stranger = self._portal_user("stranger", "elsewhere.example.com")
        stranger._update_last_login()
        colleague._update_last_login()
        colleague._update_last_login()
        self.assertRecordValues(
            subscription.seat_ids,
            [{"partner_id": colleague.partner_id.id, "state": "active"}],
        )
        self.assertTrue(self._entitlements(colleague.partner_id).grants_access)
        late = self._portal_user("late")
        late._update_last_login()
        self.assertEqual(len(subscription.seat_ids), 1, "no free seat: no seat")

    def test_where_anyone_signs_up_a_domain_seat_is_an_invitation(self):
        self.env["ir.config_parameter"].set_param("auth_signup.invitation_scope", "b2c")
        subscription = self._organisation(seats=1)
        subscription.seat_domain = "library.example.com"
        colleague = self._portal_user("colleague")
        colleague._update_last_login()
        self.assertRecordValues(
            subscription.seat_ids,
            [{"partner_id": False, "state": "invited", "source": "domain"}],
        )
        self.assertTrue(self._invitation_url("colleague@library.example.com"))

    def test_back_office_adds_a_member_or_invites_an_address(self):
        subscription = self._organisation()
        with Form(subscription.with_user(self.user)) as form:
            with form.seat_ids.new() as line:
                line.partner_id = self.member
            with form.seat_ids.new() as line:
                line.email = "Guest@Example.com"
        self.assertRecordValues(
            subscription.seat_ids.sorted("id"),
            [
                {"partner_id": self.member.id, "email": False, "state": "active"},
                {"partner_id": False, "email": "guest@example.com", "state": "invited"},
            ],
        )
        self.assertTrue(self._invitation_url("guest@example.com"))
        subscription.seat_ids.with_user(self.user).action_remove()
        self.assertEqual(subscription.seat_ids.mapped("state"), ["removed"] * 2)
        self.assertFalse(self._entitlements(self.member))

    def test_access_rights(self):
        subscription = self._organisation()
        seat = self._seat(subscription, self.member)
        Seat = self.env["publication.subscription.seat"]
        self.assertEqual(Seat.with_user(self.payer_user).search([]), seat)
        self.assertFalse(Seat.with_user(self.other_user).search([]))
        with self.assertRaises(AccessError):
            seat.with_user(self.payer_user).write({"state": "removed"})
        with self.assertRaises(AccessError):
            seat.with_user(self.lookup_user).read(["state"])
        created = Seat.with_user(self.user).create(
            {"subscription_id": subscription.id, "partner_id": self.reader.id}
        )
        self.assertEqual(created.state, "active")
        with self.assertRaises(AccessError):
            created.with_user(self.user).unlink()


@tagged("post_install", "-at_install")
class TestSeatPortal(SeatCommon, HttpCase):
    """Over HTTP: the payer gives, replaces and removes seats; another portal
    user and a visitor change nothing; the invitation's link accepts the seat
    for the logged-in user; the look-up service answers for the member."""

    def _post(self, url, data):
        csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        response = self.url_open(
            url, data=dict(data, csrf_token=csrf), allow_redirects=False
        )
        self.env.invalidate_all()
        return response

    def test_payer_gives_replaces_and_removes_seats_others_change_nothing(self):
        subscription = self._organisation()
        url = f"/my/subscriptions/{subscription.id}/seats"
        give = {"email": "first@example.com"}
        response = self._post(url, give)
        self.assertIn("/web/login", response.headers["Location"])
        self.authenticate("seat_other", "seat_other")
        self.assertTrue(self._post(url, give).headers["Location"].endswith("/my"))
        self.assertFalse(subscription.seat_ids)

        self.authenticate("seat_payer", "seat_payer")
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("o_subscription_add_seat", page.text)
        response = self._post(url, {"email": "not an address"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Invited E-mail not an address is not one e-mail", response.text)
        self.assertEqual(self._post(url, give).status_code, 303)
        first = subscription.seat_ids
        self.assertRecordValues(first, [{"state": "invited", "email": give["email"]}])
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("first@example.com is invited", page.text)
        self.assertIn("1 of 2 seats taken", page.text)

        response = self._post(url, {"seat_id": first.id, "email": "second@example.com"})
        self.assertEqual(response.status_code, 303)
        second = subscription.seat_ids - first
        self.assertEqual(first.state, "removed")
        self.assertRecordValues(second, [{"state": "invited"}])
        response = self._post(url, {"seat_id": first.id, "email": "third@example.com"})
        self.assertEqual(response.status_code, 400, "a removed seat is not replaced")
        self._post(url, {"seat_id": second.id, "remove": "1"})
        self.assertEqual(second.state, "removed")

        other = self._open(self._reader("Olli"))
        other.seat_count = 1
        elsewhere = self._seat(other, self.member)
        response = self._post(url, {"seat_id": elsewhere.id, "remove": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("That seat is not one of", response.text)
        self.assertEqual(elsewhere.state, "active")

    def test_the_invitation_link_accepts_the_seat_for_the_logged_in_user(self):
        subscription = self._organisation()
        subscription._portal_invite_seat("mervi@example.com")
        url = self._invitation_url("mervi@example.com")
        seat = subscription.seat_ids
        response = self.url_open(url, allow_redirects=False)
        self.assertIn("/web/login", response.headers["Location"])
        self.assertIn("redirect=", response.headers["Location"])
        new_test_user(
            self.env,
            login="mervi",
            groups="base.group_portal",
            partner_id=self.member.id,
        )
        self.authenticate("mervi", "mervi")
        forged = url[: url.index("token=") + 6] + "0" * 64
        self.assertTrue(
            self.url_open(forged, allow_redirects=False)
            .headers["Location"]
            .endswith("/my")
        )
        page = self.url_open(url)
        self.assertIn("o_seat_accept_form", page.text)
        self.assertEqual(seat.state, "invited", "a GET accepts nothing")
        token = parse_qs(urlparse(url).query)["token"][0]
        response = self._post(urlparse(url).path, {"token": token})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your seat is ready", response.text)
        self.assertRecordValues(
            seat, [{"state": "active", "partner_id": self.member.id}]
        )

        key = self._api_key(self.lookup_user, "Website")
        answer = self.url_open(
            f"{URL}?login=mervi", headers={"Authorization": f"Bearer {key}"}
        ).json()
        self.assertEqual(
            answer["entitlements"],
            [
                {
                    "publication": {"code": "PM", "name": "Parish Monthly"},
                    "edition": "digital",
                    "from": self.start.isoformat(),
                    "until": subscription.date_end.isoformat(),
                    "reason": "seat",
                }
            ],
        )

    def test_payer_gives_replaces_and_removes_a_seat_in_a_browser(self):
        subscription = self._organisation()
        self.start_tour(
            f"/my/subscriptions/{subscription.id}",
            "publication_crm_seat_portal",
            login="seat_payer",
        )
        self.assertRecordValues(
            subscription.seat_ids.sorted("id"),
            [
                {"email": "anna@example.com", "state": "removed"},
                {"email": "bertil@example.com", "state": "removed"},
            ],
        )
