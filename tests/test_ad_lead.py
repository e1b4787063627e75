from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import AdvertisingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestAdSales(AdvertisingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = cls._new_user(
            "ad_seller",
            "publication_crm.group_publication_user,sales_team.group_sale_salesman",
        )

    def _contract_from(self, lead):
        action = lead.with_user(self.seller).action_new_ad_contract()
        Contract = self.env[action["res_model"]].with_user(self.seller)
        contract_form = Form(Contract.with_context(**action["context"]))
        contract_form.publication_id = self.monthly
        contract_form.date_start = date(2026, 1, 1)
        contract_form.date_end = date(2026, 12, 31)
        contract_form.committed_insertions = 6
        return contract_form.save()

    def test_opportunity_turned_into_an_ad_contract(self):
        lead = (
            self.env["crm.lead"]
            .with_user(self.seller)
            .create(
                {
                    "name": "Bakery: spring campaign",
                    "type": "opportunity",
                    "partner_id": self.bakery.id,
                }
            )
        )
        contract = self._contract_from(lead)
        self.assertEqual(contract.partner_id, self.bakery)
        self.assertEqual(contract.sudo().lead_id, lead)
        self.assertEqual(contract.user_id, self.seller)
        self.assertEqual(contract.state, "draft")
        self.assertEqual(lead.ad_contract_count, 1)
        self.assertFalse(self.bakery.is_advertiser, "not before confirmation")
        contract.with_user(self.seller).action_confirm()
        self.assertTrue(self.bakery.is_advertiser)

    def test_lead_without_customer_gets_one(self):
        lead = (
            self.env["crm.lead"]
            .with_user(self.seller)
            .create({"name": "Ad request", "partner_name": "New Florist"})
        )
        contract = self._contract_from(lead)
        self.assertEqual(contract.partner_id.name, "New Florist")
        self.assertEqual(lead.partner_id, contract.partner_id)

    def test_advertiser_360_and_readership_report(self):
        self.monthly.issue_ids.digital_audience = 1234
        contract = self._contract()
        bookings = self._book_months(contract, [2, 3])
        with freeze_time("2026-02-01"):
            self._issue(self.monthly, date(2026, 2, 1)).action_invoice_ads()
            self.bakery.invalidate_recordset()
            self.assertEqual(self.bakery.ad_contract_count, 1)
            self.assertEqual(self.bakery.ad_booking_count, 2)
            self.assertEqual(self.bakery.ad_invoice_count, 1)
            self.assertEqual(self.bakery.ad_revenue_year, 500.0)
        action = self.bakery.action_view_ad_bookings()
        self.assertEqual(
            self.env["publication.ad.booking"].search(action["domain"]), bookings
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "publication_crm.publication_ad_contract_report", contract.ids
            )[0]
            .decode()
        )
        self.assertIn("PM 2026/2", html)
        self.assertIn("PM 2026/3", html)
        self.assertIn("1,234", html, "in the locale of the reader")
