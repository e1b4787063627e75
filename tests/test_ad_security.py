from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AdvertisingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestAdRights(AdvertisingCommon):
    def test_salesperson_sells_but_does_not_price(self):
        contract = self._contract(user=self.user)
        booking = self._book(contract, date(2026, 2, 1), user=self.user)
        booking.with_user(self.user).write(
            {"ad_format": "full", "position": "back_cover"}
        )
        self.assertEqual(booking.price, 1000.0)
        for model in (
            "publication.rate.card",
            "publication.rate.card.line",
            "publication.rate.card.tier",
        ):
            self.assertTrue(self.env[model].with_user(self.user).search([]), model)
        with self.assertRaises(AccessError):
            self.rate_card.with_user(self.user).write({"name": "Cheaper"})
        with self.assertRaises(AccessError):
            self.rate_card.line_ids[0].with_user(self.user).price = 1.0
        with self.assertRaises(AccessError):
            self.env["publication.rate.card"].with_user(self.user).create(
                {
                    "name": "Mine",
                    "publication_id": self.monthly.id,
                    "date_from": "2026-01-01",
                }
            )
        with self.assertRaises(AccessError):
            booking.with_user(self.user).unlink()
        with self.assertRaises(AccessError):
            booking.with_user(self.user).price_override = 1.0

    def test_manager_maintains_rate_cards(self):
        self.rate_card.with_user(self.manager).write(
            {"tier_ids": [Command.create({"min_insertions": 3, "discount": 5.0})]}
        )
        self.assertEqual(self.rate_card._tier_discount(4), 5.0)
        self.assertEqual(self.rate_card._tier_discount(12), 20.0)
        booking = self._book(self._contract(), date(2026, 2, 1))
        booking.with_user(self.manager).unlink()


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestAdMultiCompany(AdvertisingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company()["company"]
        env_b = cls.env(
            context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids)
        )
        cls.publication_b = env_b["publication.publication"].create(
            {
                "name": "Other Monthly",
                "code": "OM",
                "company_id": cls.company_b.id,
                "ad_product_id": cls.ad_product.id,
            }
        )
        cls.publication_b._generate_issues(date(2026, 1, 1), date(2026, 12, 31))
        env_b["publication.rate.card"].create(
            {
                "name": "B rates",
                "publication_id": cls.publication_b.id,
                "date_from": "2026-01-01",
                "line_ids": [
                    Command.create(
                        {"ad_format": "half", "position": "inside", "price": 70}
                    )
                ],
            }
        )
        cls.contract_b = env_b["publication.ad.contract"].create(
            {
                "partner_id": cls.garage.id,
                "publication_id": cls.publication_b.id,
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
            }
        )
        cls.contract_b.action_confirm()
        cls.booking_b = env_b["publication.ad.booking"].create(
            {
                "contract_id": cls.contract_b.id,
                "issue_id": cls.publication_b.issue_ids.sorted("date")[1].id,
                "ad_format": "half",
            }
        )

    def test_company_b_advertising_is_invisible_in_company_a(self):
        contract_a = self._contract()
        self._book(contract_a, date(2026, 2, 1))
        self.assertEqual(self.booking_b.company_id, self.company_b)
        self.assertEqual(self.booking_b.price, 70.0)
        env = self.env(user=self.user)
        for model in (
            "publication.rate.card",
            "publication.rate.card.line",
            "publication.ad.contract",
            "publication.ad.booking",
        ):
            records = env[model].search([])
            self.assertTrue(records, model)
            self.assertEqual(records.company_id, self.company_a, model)
        with self.assertRaises(AccessError):
            self.booking_b.with_user(self.user).read(["price"])
        with self.assertRaises(AccessError):
            self.contract_b.with_user(self.user).read(["name"])

    def test_invoices_in_the_company_of_the_publication(self):
        contract_a = self._contract()
        booking_a = self._book(contract_a, date(2026, 2, 1))
        self._no_cron_commit()
        with freeze_time("2026-03-01"):
            # the scheduled action runs as superuser, for every company
            self.env["publication.ad.booking"].sudo()._cron_invoice_ads()
        self.assertEqual(booking_a.sudo().invoice_id.company_id, self.company_a)
        self.assertEqual(self.booking_b.sudo().invoice_id.company_id, self.company_b)
