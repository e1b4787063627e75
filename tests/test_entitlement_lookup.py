"""The look-up service's own paths: its lean query answers what the view
does, and a verified API key is not hashed again while revoking it still
works at once."""

from datetime import timedelta
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.base.models.res_users import KEY_CRYPT_CONTEXT

from .test_entitlements import URL
from .test_seats import SeatCommon

COLUMNS = (
    "id",
    "reader_id",
    "reason",
    "subscription_id",
    "recipient_id",
    "publication_id",
    "company_id",
    "plan_id",
    "state",
    "edition",
    "date_from",
    "date_until",
    "is_paused",
    "access_edition",
    "grants_access",
)


@tagged("post_install", "-at_install")
class TestLeanLookup(SeatCommon):
    def _rows(self, reader_ids, lean):
        """The rows of the view (or of the lean query) of reader_ids."""
        Entitlement = self.env["publication.entitlement"].with_user(self.lookup_user)
        domain = [("reader_id", "in", reader_ids)]
        if lean:
            query = Entitlement._search_readers(domain, reader_ids)
            if query is None:
                return []
        else:
            query = Entitlement._search(domain)
        return sorted(
            self.env.execute_query(query.select(*COLUMNS)), key=lambda row: row[0]
        )

    def test_lean_answer_is_the_views_for_every_reason_and_state(self):
        readers = {}

        def reader(name):
            readers[name] = self._reader(name)
            return readers[name]

        self._open(reader("Own"))
        self._open(reader("Bundle"), self.plan_bundle)._pause(
            self.today - timedelta(days=1), self.today + timedelta(days=3)
        )
        self._open(reader("Printed"))._pause(self.today, self.today + timedelta(5))
        self._open(reader("Digital"), self.plan_monthly_digital)._pause(
            self.today, self.today + timedelta(5)
        )
        self._open(reader("Gift"), payer_id=self.bob.id)
        self._open(reader("Member"), origin="member")
        self._open(reader("Sponsored"), origin="sponsored", payer_id=self.sponsor.id)
        self._open(
            reader("Trial"), self.plan_trial, origin="trial", date_start=self.today
        )
        self._open(reader("Expired"))._expire()
        self._open(reader("Suspended")).period_ids._suspend_unpaid()
        self._open(reader("Waiting"), self.plan_daily)
        self._open(reader("Cancelled"), self.plan_monthly_digital)._cancel(
            self.today, self.reason_moved
        )
        self._open(reader("Later"), date_start=self.today + timedelta(days=10))
        self._open(reader("Route"), route_id=self.route_digital.id)
        # a company's subscription, its contact, a member on a seat who reads
        # it also by a subscription of their own, and a contact on a seat
        organisation = self._organisation(seats=3)
        self._seat(organisation, self.member)
        self._open(self.member, self.plan_monthly_digital)
        self._seat(organisation, self.librarian)
        self._seat(organisation, reader("Seated"))
        self.library.email = "library@example.com"
        readers |= {
            "Library": self.library,
            "Librarian": self.librarian,
            "Mervi": self.member,
            "Reader": self.reader,
        }
        Entitlement = self.env["publication.entitlement"].with_user(self.lookup_user)
        for name, partner in readers.items():
            with self.subTest(name):
                self.assertEqual(
                    self._rows(partner.ids, lean=True),
                    self._rows(partner.ids, lean=False),
                )
                for domain in (
                    [("reader_id", "in", partner.ids)],
                    [
                        ("reader_id", "in", partner.ids),
                        ("reason", "!=", "organisation"),
                    ],
                ):
                    self.assertEqual(
                        Entitlement._terms(domain, partner.ids),
                        Entitlement._terms(domain),
                    )
        nobody = self.env["res.partner"].create({"name": "Nobody", "zip": "10100"})
        self.assertEqual(self._rows(nobody.ids, lean=False), [])
        self.assertEqual(self._rows(nobody.ids, lean=True), [])
        self.env.flush_all()
        with self.assertQueryCount(1):  # the readers' query only
            self.assertEqual(Entitlement._lookup("email", "nobody@example.com"), [])
        everyone = [partner.id for partner in readers.values()]
        self.assertEqual(self._rows(everyone, lean=True), self._rows(everyone, False))
        self.assertEqual(
            {row[2] for row in self._rows(everyone, lean=True)},
            {"subscription", "gift", "member", "sponsored", "trial", "organisation"}
            | {"seat"},
        )
        self.assertEqual(
            {row[8] for row in self._rows(everyone, lean=True)},
            {"active", "expired", "suspended", "waiting", "cancelled"},
        )

    def test_lean_answer_keeps_to_the_users_companies(self):
        self._open(self.reader)
        other = self.env["res.company"].create({"name": "Other Press"})
        self.lookup_user.write({"company_ids": [(4, other.id)], "company_id": other.id})
        Entitlement = (
            self.env["publication.entitlement"]
            .with_user(self.lookup_user)
            .with_company(other)
        )
        domain = [("reader_id", "in", self.reader.ids)]
        self.assertEqual(Entitlement._terms(domain, self.reader.ids), [])
        self.assertEqual(Entitlement._terms(domain), [])


@tagged("post_install", "-at_install")
class TestApiKeyCheck(SeatCommon, HttpCase):
    """A key is hashed (pbkdf2) when a worker first sees it only; a deleted or
    expired key, or a deactivated user, is refused at once all the same."""

    def _status(self, key):
        response = self.url_open(
            f"{URL}?email=reader@entitlements.example.com",
            headers={"Authorization": f"Bearer {key}"},
        )
        return response.status_code

    def _counting_verify(self):
        calls = []
        passlib = KEY_CRYPT_CONTEXT.__obj__  # the wrapper's verify is read-only
        verify = passlib.verify

        def counting(*args, **kwargs):
            calls.append(args)
            return verify(*args, **kwargs)

        return calls, patch.object(passlib, "verify", counting)

    def _key_row(self, name):
        return self.env["res.users.apikeys"].search(
            [("user_id", "=", self.lookup_user.id), ("name", "=", name)]
        )

    def test_a_verified_key_is_not_hashed_again(self):
        key = self._api_key(self.lookup_user, "Paywall")
        calls, patched = self._counting_verify()
        with patched:
            self.assertEqual(self._status(key), 200)
            self.assertEqual(len(calls), 1)
            self.assertEqual(self._status(key), 200)
            self.assertEqual(self._status(key), 200)
            self.assertEqual(len(calls), 1, "checked by its row, not hashed again")
            self.assertEqual(self._status(key + "x"), 401)

    def test_a_deleted_key_is_refused_at_once(self):
        key = self._api_key(self.lookup_user, "Deleted")
        self.assertEqual(self._status(key), 200)
        self.assertEqual(self._status(key), 200)
        self._key_row("Deleted").sudo().unlink()
        self.assertEqual(self._status(key), 401)

    def test_an_expired_key_is_refused_at_once(self):
        key = self._api_key(self.lookup_user, "Expiring")
        self.assertEqual(self._status(key), 200)
        self.assertEqual(self._status(key), 200)
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = now() - interval '1 minute'"
            " WHERE id = %s",
            self._key_row("Expiring").ids,
        )
        self.assertEqual(self._status(key), 401)

    def test_a_deactivated_user_is_refused_at_once(self):
        key = self._api_key(self.lookup_user, "Leaving")
        self.assertEqual(self._status(key), 200)
        self.assertEqual(self._status(key), 200)
        self.lookup_user.active = False
        self.env.flush_all()
        self.assertEqual(self._status(key), 401)
