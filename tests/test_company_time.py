"""Companies and time zones: each company's own records, amounts and date."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AdvertisingCommon, HelpdeskCommon, PublicationCommon

LATE_EVENING_UTC = "2026-03-31 23:30:00"  # 1 April in Shanghai and Helsinki


@tagged("post_install", "-at_install")
class TestCompanyToday(AdvertisingCommon):
    def _in_zone(self, tz):
        self.env.company.partner_id.tz = tz
        self._no_cron_commit()

    def test_ads_invoiced_on_the_company_date(self):
        for tz in ("Asia/Shanghai", "Europe/Helsinki"):
            with self.subTest(tz), self.env.cr.savepoint(flush=False) as savepoint:
                self._in_zone(tz)
                with freeze_time("2026-01-01"):
                    booking = self._book(self._contract(), date(2026, 4, 1))
                with freeze_time(LATE_EVENING_UTC):
                    self.env["publication.ad.booking"]._cron_invoice_ads()
                self.assertEqual(booking.state, "invoiced", "1 April there")
                # the salesperson who booked may not read invoices
                invoice = booking.sudo().invoice_id
                self.assertEqual(invoice.invoice_date, date(2026, 4, 1))
                savepoint.rollback()

    def test_ads_wait_for_the_day_in_utc(self):
        self._in_zone("UTC")
        with freeze_time("2026-01-01"):
            booking = self._book(self._contract(), date(2026, 4, 1))
        with freeze_time(LATE_EVENING_UTC):
            self.env["publication.ad.booking"]._cron_invoice_ads()
        self.assertEqual(booking.state, "booked", "still 31 March in UTC")

    def test_planned_move_applied_on_the_company_date(self):
        self._in_zone("Asia/Shanghai")
        self.monthly.payment_grace_days = 30
        subscription = self._confirmed()
        new_home = self.env["res.partner"].create(
            {"name": "Alice, new home", "parent_id": self.alice.id, "zip": "10600"}
        )
        with freeze_time("2026-03-15"):
            subscription._change_delivery_address(new_home, date(2026, 4, 1))
        with freeze_time(LATE_EVENING_UTC):
            self.env["publication.automation"]._cron_apply_address_changes()
        self.assertEqual(subscription.delivery_address_id, new_home)

    @freeze_time(LATE_EVENING_UTC)
    def test_defaults_in_the_users_time_zone(self):
        Replacement = self.env["publication.issue.replacement"]
        shanghai = Replacement.with_context(tz="Asia/Shanghai")
        self.assertEqual(shanghai.default_get(["date"])["date"], date(2026, 4, 1))
        self.assertEqual(
            self.env.company.with_context(tz="UTC")._publication_today(),
            date(2026, 3, 31),
        )
        self.env.company.partner_id.tz = "Europe/Helsinki"
        self.assertEqual(self.env.company._publication_today(), date(2026, 4, 1))


class OtherCompanyMixin:
    @classmethod
    def _setup_company_b(cls):
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company(
            name="Company B", currency_id=cls.setup_other_currency("EUR").id
        )["company"]
        env_b = cls.env(
            context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids)
        )
        cls.publication_b = env_b["publication.publication"].create(
            {
                "name": "Other Weekly",
                "code": "OW",
                "issues_per_year": 52,
                "product_id": cls.product.id,
                "company_id": cls.company_b.id,
            }
        )
        cls.plan_b = env_b["publication.subscription.plan"].create(
            {"name": "Annual", "publication_id": cls.publication_b.id, "price": 10.0}
        )
        cls.subscription_b = env_b["publication.subscription"].create(
            {
                "recipient_id": cls.alice.id,
                "publication_id": cls.publication_b.id,
                "plan_id": cls.plan_b.id,
                "date_start": "2026-01-01",
            }
        )
        cls.subscription_b.action_confirm()


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestCompanyAmounts(OtherCompanyMixin, PublicationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_b()

    def test_amount_due_per_company_in_its_currency(self):
        self._confirmed()  # 120 in company A
        due_b = self._invoice(self.subscription_b).amount_total  # in EUR
        user = self._new_user(
            "pub_invoicing_ab",
            "publication_crm.group_publication_user,account.group_account_invoice",
            companies=self.company_a | self.company_b,
        )
        for companies, amount, currency in (
            (self.company_a | self.company_b, 120.0, self.company_a.currency_id),
            (self.company_b | self.company_a, due_b, self.company_b.currency_id),
        ):
            alice = self.alice.with_user(user).with_context(
                allowed_company_ids=companies.ids
            )
            self.assertEqual(alice.publication_open_amount, amount)
            self.assertEqual(alice.publication_open_currency_id, currency)
            self.assertEqual(
                alice.publication_open_invoice_ids.company_id, companies[0]
            )


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestTicketCompany(OtherCompanyMixin, HelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_b()

    def test_ticket_finds_subscriptions_of_its_company_only(self):
        ticket = self._ticket(self.alice)
        self.assertEqual(ticket.company_id, self.company_a)
        self.assertFalse(ticket.subscription_id, "Alice reads a paper of company B")
        own = self._active()
        ticket = self._ticket(self.alice)
        self.assertEqual(ticket.subscription_id, own)
