"""Site licences: everyone reading from an organisation's networks (IPv4,
IPv6) reads digitally while its subscription gives access; the look-up
service answers by IP address with the licence's terms only."""

import ipaddress

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .test_entitlements import URL, EntitlementCommon


class SiteLicenceCommon(EntitlementCommon):
    def _licence(self, subscription, *networks):
        return self.env["publication.site.licence"].create(
            {
                "name": "Reading room",
                "subscription_id": subscription.id,
                "network_ids": [(0, 0, {"cidr": cidr}) for cidr in networks],
            }
        )


@tagged("post_install", "-at_install")
class TestSiteLicences(SiteLicenceCommon):
    def test_networks_are_validated_and_normalised(self):
        subscription = self._open(self.library)
        licence = self._licence(subscription, "203.0.113.7/24", " 2001:DB8::/48 ")
        self.assertEqual(
            licence.network_ids.mapped("cidr"), ["203.0.113.0/24", "2001:db8::/48"]
        )
        for value, message in (
            ("203.0.113.300/24", "Network 203.0.113.300/24 is not an IPv4 or IPv6"),
            ("library", "Network library is not an IPv4 or IPv6"),
            ("10.0.0.0/4", "Network 10.0.0.0/4 is too wide"),
            ("2001::/16", "Network 2001::/16 is too wide"),
        ):
            with (
                self.subTest(value=value),
                self.assertRefused(ValidationError, message),
            ):
                licence.network_ids[0].cidr = value

    def test_lookup_by_address(self):
        subscription = self._open(self.library, self.plan_monthly_digital)
        licence = self._licence(subscription, "203.0.113.0/24", "2001:db8:10::/48")
        Entitlement = self.env["publication.entitlement"].with_user(self.lookup_user)
        lookup = Entitlement._lookup_ip
        term = {
            "publication": {"code": "PM", "name": "Parish Monthly"},
            "edition": "digital",
            "from": self.start.isoformat(),
            "until": subscription.date_end.isoformat(),
            "reason": "site_licence",
        }
        self.assertEqual(lookup(ipaddress.ip_address("203.0.113.77")), [term])
        self.assertEqual(lookup(ipaddress.ip_address("2001:db8:10::9")), [term])
        self.assertEqual(lookup(ipaddress.ip_address("203.0.114.1")), [])
        licence.action_archive()
        self.assertEqual(lookup(ipaddress.ip_address("203.0.113.77")), [])
        with self.assertRaises(AccessError):
            self.env["publication.site.licence"].with_user(self.lookup_user).search([])


@tagged("post_install", "-at_install")
class TestSiteLicenceApi(SiteLicenceCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls._api_key(cls.lookup_user, "Website")

    def _get(self, **params):
        response = self.url_open(
            URL, params=params, headers={"Authorization": f"Bearer {self.key}"}
        )
        return response.status_code, response.json()

    def test_ipv4_ipv6_outside_and_expired(self):
        subscription = self._open(self.library, self.plan_bundle)
        self._licence(subscription, "198.51.100.0/24", "2001:db8:abcd::/48")
        expected = [
            {
                "publication": {"code": "PM", "name": "Parish Monthly"},
                "edition": "digital",
                "from": self.start.isoformat(),
                "until": subscription.date_end.isoformat(),
                "reason": "site_licence",
            }
        ]
        for ip in (
            "198.51.100.1",
            "198.51.100.254",
            "::ffff:198.51.100.9",
            "2001:db8:abcd:12::1",
        ):
            with self.subTest(ip=ip):
                self.assertEqual(self._get(ip=ip), (200, {"entitlements": expected}))
        for ip in ("198.51.101.1", "2001:db8:abce::1", "::ffff:198.51.99.1"):
            with self.subTest(ip=ip):
                self.assertEqual(self._get(ip=ip), (200, {"entitlements": []}))
        status, body = self._get(ip="198.51.100")
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["parameter"], "ip")
        subscription._expire()
        self.assertEqual(self._get(ip="198.51.100.1"), (200, {"entitlements": []}))
