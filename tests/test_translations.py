import re

from freezegun import freeze_time

from odoo.tests import HttpCase, TransactionCase, tagged

from .common import HelpdeskCommon, PublicationCommon

LANGS = ("fi_FI", "zh_CN")


def _load_languages(env):
    """Activate Finnish and Chinese and load the add-on's translations."""
    for code in LANGS:
        env["res.lang"]._activate_lang(code)
    env["ir.module.module"]._load_module_terms(["publication_crm"], list(LANGS))


@tagged("post_install", "-at_install")
class TestTranslatedMails(PublicationCommon, TransactionCase):
    """Reminders are written in the payer's language, with its dates and amounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_languages(cls.env)
        cls.template = cls.env.ref("publication_crm.mail_template_renewal_reminder")

    def _reminder(self, payer):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed(recipient_id=self.bob.id, payer_id=payer.id)
        subscription._post_template(self.template)
        return subscription.message_ids.filtered(lambda m: m.message_type == "comment")

    def test_reminder_in_finnish(self):
        self.alice.lang = "fi_FI"
        message = self._reminder(self.alice)
        self.assertEqual(
            message.subject, "Lehden Parish Monthly tilauksesi päättyy 31.12.2026"
        )
        for text in ("Hyvä Alice", "jonka annat lahjaksi", "Uusi ja maksa", "120,00"):
            self.assertIn(text, message.body)
        self.assertNotIn("Renew and pay", message.body)

    def test_reminder_in_chinese(self):
        self.alice.lang = "zh_CN"
        message = self._reminder(self.alice)
        self.assertEqual(
            message.subject, "您对 Parish Monthly 的订阅将于 2026/12/31 到期"
        )
        for text in ("尊敬的 Alice", "赠送给", "续订并付款", "120.00"):
            self.assertIn(text, message.body)

    def test_the_template_follows_the_payer_not_the_recipient(self):
        self.alice.lang = "zh_CN"
        self.bob.lang = "fi_FI"
        message = self._reminder(self.alice)
        self.assertIn("续订并付款", message.body)
        self.assertNotIn("Uusi ja maksa", message.body)


@tagged("post_install", "-at_install")
class TestTranslatedPortal(HelpdeskCommon, HttpCase):
    """The portal page of a subscription in the reader's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_languages(cls.env)
        cls._create_portal_users()

    def _page(self, user, lang):
        user.partner_id.lang = lang
        with freeze_time("2026-03-01"):
            subscription = self._active(
                recipient_id=user.partner_id.id, date_start="2026-01-01"
            )
        self.authenticate(user.login, user.login)
        response = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_portal_page_in_finnish(self):
        page = self._page(self.portal_alice, "fi_FI")
        for text in ("Lomatauko", "Keskeytä jakelu", "Maksaja", "31.12.2026"):
            self.assertIn(text, page)
        self.assertNotIn("Pause delivery", page)

    def test_portal_page_in_chinese(self):
        page = self._page(self.portal_bob, "zh_CN")
        for text in ("假期暂停", "暂停投递", "付款人", "2026/12/31"):
            self.assertIn(text, page)
        self.assertNotIn("Pause delivery", page)

    def test_login_opens_the_portal_in_the_readers_language(self):
        """A Finnish reader who logs in from a browser that saw the portal in English
        (its frontend_lang cookie) gets the portal in Finnish, without the footer's
        language switch."""
        self.portal_alice.partner_id.lang = "fi_FI"
        with freeze_time("2026-03-01"):
            subscription = self._active(
                recipient_id=self.portal_alice.partner_id.id, date_start="2026-01-01"
            )
        # the mail's link, opened before logging in, is shown in the site's language
        token = subscription._portal_ensure_token()
        self.url_open(f"/my/subscriptions/{subscription.id}?access_token={token}")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "en_US")
        login_page = self.url_open("/web/login?redirect=/my/subscriptions")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(
            1
        )
        response = self.url_open(
            "/web/login",
            data={
                "login": self.portal_alice.login,
                "password": self.portal_alice.login,
                "csrf_token": token,
                "redirect": "/my/subscriptions",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("/fi/my/subscriptions", response.url)
        self.assertIn("Tilaukset", response.text)
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "fi_FI")
