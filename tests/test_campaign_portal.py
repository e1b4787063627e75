import re

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import PublicationCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestCampaignPortal(PublicationCommon, HttpCase):
    """The renewal page reached from a campaign's link (utm_campaign), over HTTP."""

    def test_renewal_from_a_campaign_link_is_attributed(self):
        campaign = self.env["utm.campaign"].create({"name": "Renew in December"})
        today = fields.Date.context_today(self.env["res.partner"])
        subscription = self._confirmed(date_start=today - relativedelta(months=11))
        self._pay(self._invoice(subscription))
        token = subscription.sudo()._portal_ensure_token()
        page = self.url_open(
            f"/publication/renew/{subscription.id}?access_token={token}"
            "&utm_campaign=Renew in December"
        )
        self.assertEqual(page.status_code, 200)
        response = self.url_open(
            f"/publication/renew/{subscription.id}",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                "access_token": token,
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.env.invalidate_all()
        renewal = subscription.renewal_event_ids.filtered(lambda e: e.kind == "renewal")
        self.assertEqual(renewal.campaign_id, campaign)
