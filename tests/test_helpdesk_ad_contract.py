from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import AdvertisingCommon, HelpdeskCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10 09:00:00")
class TestHelpdeskAdContract(HelpdeskCommon, AdvertisingCommon):
    """An advertiser's complaint about an ad links to the ad contract."""

    def test_complaint_about_an_ad_links_its_contract(self):
        contract = self._contract()
        form = Form(self.env["helpdesk.ticket"].with_user(self.agent))
        form.name = "Our ad was printed upside down"
        form.description = "<p>See page 3.</p>"
        form.team_id = self.team
        form.partner_id = self.bakery
        form.category_id = self.cat_damaged
        form.ad_contract_id = contract
        ticket = form.save()
        self.assertEqual(ticket.ad_contract_id, contract)
        self.assertEqual(
            contract.with_user(self.agent).ticket_ids,
            ticket,
            "the contract lists its complaints",
        )
