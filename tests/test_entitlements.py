"""Entitlements: what a reader may read now, from their subscriptions, and the
look-up service that answers the publisher's website and e-paper."""

from datetime import timedelta
from urllib.parse import urlencode

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import PublicationCommon

URL = "/publication/api/v1/entitlements"
GROUP = "publication_crm.group_publication_entitlement"


class EntitlementCommon(PublicationCommon):
    """Readers of the monthly (whose payment grace activates a subscription
    at once) and the daily (awaiting payment until paid), in every state."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "Europe/Helsinki"
        cls.today = cls.env.company._publication_today()
        cls.start = cls.today - timedelta(days=40)
        cls.monthly.payment_grace_days = 30
        cls.plan_bundle = cls.env["publication.subscription.plan"].create(
            {
                "name": "Print + e-paper",
                "publication_id": cls.monthly.id,
                "term_length": 12,
                "price": 150.0,
                "channel": "bundle",
            }
        )
        cls.lookup_user = cls._new_user("pub_lookup", GROUP)
        cls.reader_user = new_test_user(
            cls.env,
            login="reader@entitlements.example.com",
            groups="base.group_portal",
            name="Rita Reader",
        )
        cls.reader = cls.reader_user.partner_id
        Partner = cls.env["res.partner"]
        cls.library = Partner.create(
            {"name": "Town Library", "is_company": True, "zip": "10100"}
        )
        cls.librarian = Partner.create(
            {
                "name": "Liisa Librarian",
                "parent_id": cls.library.id,
                "email": "Liisa <LIISA@Library.example.com>",
            }
        )

    @classmethod
    def _api_key(cls, user, name):
        """An API key of user for a day, as its integration creates it."""
        expiry = fields.Datetime.now() + timedelta(days=1)
        return (
            cls.env["res.users.apikeys"].with_user(user)._generate("rpc", name, expiry)
        )

    @classmethod
    def _reader(cls, name):
        return cls.env["res.partner"].create(
            {"name": name, "zip": "10100", "email": f"{name.lower()}@example.com"}
        )

    def _open(self, recipient, plan=None, **vals):
        """A confirmed subscription of recipient, started 40 days ago."""
        plan = plan or self.plan_annual
        return self._confirmed(
            **{
                "recipient_id": recipient.id,
                "publication_id": plan.publication_id.id,
                "plan_id": plan.id,
                "date_start": self.start,
            }
            | vals
        )

    def _entitlements(self, reader):
        """reader's entitlements, read again (the view is not cached)."""
        self.env["publication.entitlement"].invalidate_model()
        return self.env["publication.entitlement"].search(
            [("reader_id", "=", reader.id)]
        )


@tagged("post_install", "-at_install")
class TestEntitlements(EntitlementCommon):
    def test_active_subscription_gives_its_edition(self):
        subscription = self._open(self.reader)
        self.assertEqual(subscription.state, "active", "within the payment grace")
        entitlement = self._entitlements(self.reader)
        self.assertRecordValues(
            entitlement,
            [
                {
                    "subscription_id": subscription.id,
                    "publication_id": self.monthly.id,
                    "edition": "print",
                    "reason": "subscription",
                    "date_from": self.start,
                    "date_until": subscription.date_end,
                    "access_edition": "print",
                    "grants_access": True,
                }
            ],
        )

    def test_follows_the_state_at_once(self):
        planned = self._open(self.reader, self.plan_monthly_digital)
        now = self._open(self._reader("Kalle"), self.plan_monthly_digital)
        self.assertTrue(self._entitlements(self.reader).grants_access)
        tomorrow = self.today + timedelta(days=1)
        planned._cancel(tomorrow, self.reason_moved)
        now._cancel(self.today, self.reason_moved)
        self.assertRecordValues(
            self._entitlements(self.reader),
            [{"state": "active", "grants_access": True, "date_until": tomorrow}],
        )
        self.assertRecordValues(
            self._entitlements(now.recipient_id),
            [{"state": "cancelled", "grants_access": False, "access_edition": False}],
        )

    def test_closed_and_unpaid_subscriptions_give_no_access(self):
        expired = self._open(self._reader("Erkki"))
        expired._expire()
        suspended = self._open(self._reader("Sakari"))
        suspended.period_ids._suspend_unpaid()
        waiting = self._open(self._reader("Wilma"), self.plan_daily)
        self.assertEqual(
            (expired + suspended + waiting).mapped("state"),
            ["expired", "suspended", "waiting"],
        )
        entitlements = self.env["publication.entitlement"].search(
            [("subscription_id", "in", (expired + suspended + waiting).ids)]
        )
        self.assertEqual(len(entitlements), 3)
        self.assertFalse(any(entitlements.mapped("grants_access")))

    def test_pause_keeps_digital_reading(self):
        bundle = self._open(self._reader("Bea"), self.plan_bundle)
        printed = self._open(self._reader("Paavo"))
        digital = self._open(self._reader("Dora"), self.plan_monthly_digital)
        for subscription in bundle + printed + digital:
            subscription._pause(
                self.today - timedelta(days=2), self.today + timedelta(5)
            )
        by_subscription = {
            e.subscription_id: e
            for e in self.env["publication.entitlement"].search(
                [("subscription_id", "in", (bundle + printed + digital).ids)]
            )
        }
        self.assertRecordValues(
            by_subscription[bundle],
            [{"edition": "both", "is_paused": True, "access_edition": "digital"}],
        )
        self.assertRecordValues(
            by_subscription[printed],
            [{"edition": "print", "is_paused": True, "grants_access": False}],
        )
        # a digital-only subscription's pause moved its end: no reading meanwhile
        self.assertFalse(by_subscription[digital].grants_access)

    def test_print_offer_on_a_digital_route_is_read_digitally(self):
        subscription = self._open(self._reader("Eino"), route_id=self.route_digital.id)
        self.assertEqual(subscription.delivery_method, "digital")
        self.assertRecordValues(
            self._entitlements(subscription.recipient_id),
            [{"edition": "digital", "access_edition": "digital"}],
        )

    def test_reasons(self):
        gift = self._open(self._reader("Gilda"), payer_id=self.bob.id)
        member = self._open(self._reader("Mikko"), origin="member")
        sponsored = self._open(
            self._reader("Sofia"), origin="sponsored", payer_id=self.sponsor.id
        )
        trial = self._open(
            self._reader("Tuomas"),
            self.plan_trial,
            origin="trial",
            date_start=self.today,
        )
        subscriptions = gift + member + sponsored + trial
        reasons = {
            e.subscription_id: (e.reason, e.grants_access)
            for e in self.env["publication.entitlement"].search(
                [("subscription_id", "in", subscriptions.ids)]
            )
        }
        self.assertEqual(
            [reasons[s] for s in subscriptions],
            [
                ("gift", True),
                ("member", True),
                ("sponsored", True),
                ("trial", True),
            ],
        )

    def test_company_subscription_is_read_by_its_contacts(self):
        subscription = self._open(self.library, self.plan_monthly_digital)
        self.env["res.partner"].create(
            {"name": "Library Van", "parent_id": self.library.id, "type": "delivery"}
        )
        self.assertRecordValues(
            self.env["publication.entitlement"].search(
                [("subscription_id", "=", subscription.id)], order="reader_id"
            ),
            [
                {"reader_id": self.library.id, "reason": "subscription"},
                {"reader_id": self.librarian.id, "reason": "organisation"},
            ],
        )
        self.assertEqual(self.librarian.entitlement_count, 1)

    def test_views(self):
        self._open(self.library, self.plan_monthly_digital)
        views = (
            self.env["publication.entitlement"]
            .with_user(self.manager)
            .get_views([(False, "list"), (False, "search")])
        )
        self.assertIn('create="false"', views["views"]["list"]["arch"])
        form = self.env["res.partner"].with_user(self.user).get_views([(False, "form")])
        self.assertIn("action_view_entitlements", form["views"]["form"]["arch"])
        action = self.librarian.with_user(self.user).action_view_entitlements()
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]).reason,
            "organisation",
        )

    def test_lookup_group_reads_entitlements_only(self):
        subscription = self._open(self.reader)
        Entitlement = self.env["publication.entitlement"].with_user(self.lookup_user)
        self.assertEqual(
            Entitlement.search([("reader_id", "=", self.reader.id)]).subscription_id,
            subscription,
        )
        for record in (subscription, self.monthly, self.plan_annual):
            with self.subTest(record._name), self.assertRaises(AccessError):
                record.with_user(self.lookup_user).read(["display_name"])
        with self.assertRaises(AccessError):
            Entitlement.browse(Entitlement.search([]).ids).write({})  # read only
        self.assertTrue(self.user.has_group(GROUP), "Publication Users look up too")

    def test_lookup_by_each_key(self):
        subscription = self._open(self.reader)
        self._open(self.library, self.plan_monthly_digital)
        Entitlement = self.env["publication.entitlement"].with_user(self.lookup_user)
        own = [
            {
                "publication": {"code": "PM", "name": "Parish Monthly"},
                "edition": "print",
                "from": self.start.isoformat(),
                "until": subscription.date_end.isoformat(),
                "reason": "subscription",
            }
        ]
        login = "reader@entitlements.example.com"
        self.assertEqual(Entitlement._lookup("login", login), own)
        self.assertEqual(Entitlement._lookup("email", login), own)
        self.assertEqual(Entitlement._lookup("customer", self.reader.id), own)
        self.reader.email = "rita@elsewhere.example.com"  # not flushed yet
        self.assertEqual(
            Entitlement._lookup("email", "rita@elsewhere.example.com"), own
        )
        [by_mail] = Entitlement._lookup("email", "liisa@library.example.com")
        self.assertEqual(
            (by_mail["edition"], by_mail["reason"]), ("digital", "organisation")
        )
        [by_number] = Entitlement._lookup("customer", self.library.id)
        self.assertEqual(by_number["reason"], "subscription", "once, for the company")


@tagged("post_install", "-at_install")
class TestEntitlementApi(EntitlementCommon, HttpCase):
    """The look-up service over HTTP, as the publisher's website calls it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls._api_key(cls.lookup_user, "Website")
        cls.internal_user = cls._new_user("pub_internal", "base.group_user")
        cls.internal_key = cls._api_key(cls.internal_user, "Elsewhere")

    def _get(self, key=None, **params):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = self.url_open(f"{URL}?{urlencode(params)}", headers=headers)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        return response.status_code, response.json()

    def _terms(self, **params):
        status, body = self._get(self.key, **params)
        self.assertEqual(status, 200, body)
        return body["entitlements"]

    def test_authentication(self):
        self._open(self.reader)
        for key in (None, "wrong", self.key + "x"):
            with self.subTest(key=key):
                status, body = self._get(key, email="reader@entitlements.example.com")
                self.assertEqual(status, 401)
                self.assertEqual(body["error"]["code"], "unauthorized")
        status, body = self._get(
            self.internal_key, email="reader@entitlements.example.com"
        )
        self.assertEqual(status, 403)
        self.assertEqual(body["error"]["code"], "forbidden")
        self.assertEqual(set(body), {"error"}, "nothing of the reader")

    def test_active_subscription_by_each_key(self):
        subscription = self._open(self.reader)
        expected = [
            {
                "publication": {"code": "PM", "name": "Parish Monthly"},
                "edition": "print",
                "from": self.start.isoformat(),
                "until": subscription.date_end.isoformat(),
                "reason": "subscription",
            }
        ]
        for params in (
            {"login": "reader@entitlements.example.com"},
            {"email": "Reader@Entitlements.Example.com"},
            {"customer": str(self.reader.id)},
        ):
            with self.subTest(**params):
                self.assertEqual(self._terms(**params), expected)

    def test_readers_without_access_look_unknown(self):
        expired = self._open(self._reader("Erkki"))
        expired._expire()
        suspended = self._open(self._reader("Sakari"))
        suspended.period_ids._suspend_unpaid()
        printed = self._open(self._reader("Paavo"))
        printed._pause(self.today, self.today + timedelta(days=5))
        for email in (
            "erkki@example.com",
            "sakari@example.com",
            "paavo@example.com",
            "nobody@example.com",
        ):
            with self.subTest(email):
                self.assertEqual(self._terms(email=email), [])

    def test_paused_bundle_and_gift(self):
        bundle = self._open(self._reader("Bea"), self.plan_bundle)
        bundle._pause(self.today, self.today + timedelta(days=5))
        [term] = self._terms(email="bea@example.com")
        self.assertEqual((term["edition"], term["reason"]), ("digital", "subscription"))
        self._open(
            self._reader("Gilda"), self.plan_monthly_digital, payer_id=self.bob.id
        )
        [term] = self._terms(email="gilda@example.com")
        self.assertEqual((term["edition"], term["reason"]), ("digital", "gift"))
        self.assertEqual(self._terms(customer=self.bob.id), [], "the payer reads not")
        self.assertEqual(
            set(term), {"publication", "edition", "from", "until", "reason"}
        )

    def test_company_contact(self):
        self._open(self.library, self.plan_monthly_digital)
        [term] = self._terms(email="liisa@library.example.com")
        self.assertEqual((term["edition"], term["reason"]), ("digital", "organisation"))

    def test_bad_parameters(self):
        for params, parameter in (
            ({}, None),
            ({"email": "a@example.com", "login": "a"}, "login"),
            ({"name": "Rita"}, "name"),
            ({"customer": "12a"}, "customer"),
            ({"customer": "0"}, "customer"),
            ({"email": "not an address"}, "email"),
            ({"login": " "}, "login"),
        ):
            with self.subTest(params=params):
                status, body = self._get(self.key, **params)
                self.assertEqual(status, 400)
                self.assertEqual(body["error"]["code"], "bad_parameter")
                if parameter:
                    self.assertIn(parameter, body["error"]["parameter"])
                    self.assertIn(parameter, body["error"]["message"])

    def test_logged_in_reader_reads_own_terms(self):
        """The publisher's pages ask for the reader in front of them with the
        reader's own session: their terms only, nothing without a login."""
        subscription = self._open(self.reader)
        self._open(self._reader("Other"), self.plan_monthly_digital)
        me = "/publication/api/v1/me/entitlements"
        response = self.url_open(me)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"]["code"], "unauthorized")
        self.authenticate(self.reader_user.login, self.reader_user.login)
        response = self.url_open(me)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(
            response.json()["entitlements"],
            [
                {
                    "publication": {"code": "PM", "name": "Parish Monthly"},
                    "edition": "print",
                    "from": self.start.isoformat(),
                    "until": subscription.date_end.isoformat(),
                    "reason": "subscription",
                }
            ],
        )
        stranger = new_test_user(
            self.env,
            login="stranger@entitlements.example.com",
            groups="base.group_portal",
        )
        self.authenticate(stranger.login, stranger.login)
        self.assertEqual(self.url_open(me).json(), {"entitlements": []})
