import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import AutomationCommon, pdf_text

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class PriceChangeCommon(AutomationCommon):
    """The quarterly offer (30.00 a copy, continuous) of the monthly, whose
    Publication Manager announces 36.00 from given day with 30 days' notice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.email = "alice@example.com"

    def _change(self, date_effective="2026-12-01", price=36.0, announce=True):
        with Form(self.env["publication.price.change"].with_user(self.manager)) as form:
            form.plan_id = self.plan_quarterly
            form.price = price
            form.date_effective = date_effective
        change = form.record
        self.assertEqual(change.notice_days, 30, "the publication's notice")
        self.assertEqual(change.old_price, 30.0)
        if announce:
            change.with_user(self.manager).action_announce()
        return change

    def _quarterly(self, partner, start):
        return self._active_continuous(partner, start=start)

    def _notices(self, subscriptions):
        return self.env["publication.price.notice"].search(
            [("subscription_id", "in", subscriptions.ids)], order="id"
        )

    def _period_from(self, subscription, day):
        return subscription.period_ids.filtered(
            lambda p: p.date_start == fields.Date.to_date(day)
        )


@tagged("post_install", "-at_install")
class TestPriceChange(PriceChangeCommon):
    def test_notice_is_sent_30_days_before_the_renewal_once(self):
        with freeze_time("2026-09-01"):
            mailed = self._quarterly(self.alice, "2026-09-01")  # renews 12-01
            on_paper = self._quarterly(self.bob, "2026-09-01")  # no e-mail
        with freeze_time("2026-10-01"):
            change = self._change()
        with freeze_time("2026-10-31"):  # 31 days before: not yet
            self._run("_cron_renewal_reminders")
        self.assertFalse(self._notices(mailed | on_paper))
        with freeze_time("2026-11-01"):
            self._run("_cron_renewal_reminders")
            self._run("_cron_renewal_reminders")  # a rerun sends nothing
        with freeze_time("2026-11-02"):
            self._run("_cron_renewal_reminders")
        notices = self._notices(mailed | on_paper)
        self.assertEqual(
            [
                (n.subscription_id, n.date_sent, n.date_applies, n.channel)
                for n in notices
            ],
            [
                (mailed, date(2026, 11, 1), date(2026, 12, 1), "mail"),
                (on_paper, date(2026, 11, 1), date(2026, 12, 1), "letter"),
            ],
        )
        self.assertEqual(notices.mapped("amount"), [36.0, 36.0])
        self.assertEqual(notices.mapped("old_amount"), [30.0, 30.0])
        self.assertEqual(set(notices.mapped("answer")), {"pending"})
        mails = mailed.message_ids.filtered(lambda m: self.alice in m.partner_ids)
        self.assertEqual(len(mails), 1, "one notice mailed to the payer")
        self.assertEqual(mails.subject, "New price of Parish Monthly from 12/01/2026")
        self.assertIn("$&nbsp;36.00", mails.body)
        self.assertIn(f"/web/login?redirect=/my/subscriptions/{mailed.id}", mails.body)
        self.assertFalse(
            on_paper.message_ids.filtered(lambda m: self.bob in m.partner_ids)
        )
        self.assertIn("announced by letter", on_paper.message_ids[0].body, "the log")
        letter = self.env["publication.letter"].search([("kind", "=", "price")])
        self.assertRecordValues(
            letter, [{"price_notice_id": notices[1].id, "partner_id": self.bob.id}]
        )
        run = letter.run_id
        self._print_letters()
        text, _images = pdf_text(run.pdf_id.raw)
        self.assertIn("New price of Parish Monthly", text)
        self.assertIn("costs $ 36.00 instead of $ 30.00", text)
        self.assertIn("From your renewal on 12/01/2026", text)
        self.assertIn(f"/my/subscriptions/{on_paper.id},", text)
        self.assertEqual(
            (change.notice_count, change.letter_count, change.declined_count),
            (2, 1, 0),
        )
        self.assertEqual(self.plan_quarterly.price_notice_count, 2)

    def test_after_the_notice_the_renewal_charges_the_new_price(self):
        with freeze_time("2026-09-01"):
            subscription = self._quarterly(self.alice, "2026-09-01")
        with freeze_time("2026-10-01"):
            change = self._change()
        with freeze_time("2026-11-01"):
            self._run("_cron_renewal_reminders")
        with freeze_time("2026-11-30"):
            self._run("_cron_renew")
        period = self._period_from(subscription, "2026-12-01")
        self.assertEqual(period.amount, 36.0)
        self.assertEqual(period.sudo().invoice_id.invoice_line_ids.price_unit, 36.0)
        self.assertEqual(subscription.price_unit, 36.0, "goes on at the new price")
        notice = self._notices(subscription)
        self.assertEqual(
            (notice.answer, notice.date_answer), ("accepted", date(2026, 11, 30))
        )
        self.assertIn("Renewed at the new price", subscription.message_ids[0].body)
        self.assertEqual(change.accepted_count, 1)
        # the offer gets the price on the change's day: new readers pay it
        self.assertEqual(self.plan_quarterly.price, 30.0)
        with freeze_time("2026-12-01"):
            self._run("_cron_renewal_reminders")
        self.assertEqual(self.plan_quarterly.price, 36.0)
        self.assertEqual(change.state, "applied")
        with freeze_time("2027-02-28"):  # the next term: the same price
            self._run("_cron_renewal_reminders", "_cron_renew")
        self.assertEqual(self._period_from(subscription, "2027-03-01").amount, 36.0)
        self.assertEqual(len(self._notices(subscription)), 1)

    def test_renewal_without_notice_in_time_keeps_the_old_price(self):
        with freeze_time("2026-08-15"):
            early = self._quarterly(self.alice, "2026-08-15")  # renews 11-15
        with freeze_time("2026-09-01"):
            late = self._quarterly(self.bob, "2026-09-01")  # renews 12-01
        self.bob.email = "bob@example.com"
        with freeze_time("2026-11-10"):  # 21 days before late's renewal
            change = self._change()
            self._run("_cron_renewal_reminders")
        self.assertFalse(self._notices(early), "renews before the change's day")
        notice = self._notices(late)
        self.assertEqual(notice.date_applies, date(2027, 3, 1), "the renewal after")
        with freeze_time("2026-11-14"):
            self._run("_cron_renew")
        with freeze_time("2026-11-30"):
            self._run("_cron_renewal_reminders", "_cron_renew")
        with freeze_time("2026-12-01"):
            self._run("_cron_renewal_reminders")
        self.assertEqual(self._period_from(early, "2026-11-15").amount, 30.0)
        self.assertEqual(self._period_from(late, "2026-12-01").amount, 30.0)
        self.assertEqual(
            self._period_from(late, "2026-12-01")
            .sudo()
            .invoice_id.invoice_line_ids.price_unit,
            30.0,
        )
        self.assertEqual((early.price_unit, late.price_unit), (30.0, 30.0))
        self.assertIn("Renewed at the old price", late.message_ids[0].body)
        self.assertEqual(notice.answer, "pending")
        # the offer has the new price now; without their notice, no one pays it
        self.assertEqual(self.plan_quarterly.price, 36.0)
        # the early one is told before its next renewal (2027-02-15)
        with freeze_time("2027-01-15"):
            self._run("_cron_renewal_reminders")
        self.assertFalse(self._notices(early))
        with freeze_time("2027-01-16"):
            self._run("_cron_renewal_reminders")
        self.assertEqual(self._notices(early).date_applies, date(2027, 2, 15))
        with freeze_time("2027-02-14"):
            self._run("_cron_renew")
        with freeze_time("2027-02-28"):
            self._run("_cron_renew")
        self.assertEqual(self._period_from(early, "2027-02-15").amount, 36.0)
        self.assertEqual(self._period_from(late, "2027-03-01").amount, 36.0)
        self.assertEqual(notice.answer, "accepted")
        self.assertEqual(change.accepted_count, 2)

    def test_declined_subscription_ends_with_its_term(self):
        with freeze_time("2026-09-01"):
            subscription = self._quarterly(self.alice, "2026-09-01")
        with freeze_time("2026-10-01"):
            change = self._change()
        with freeze_time("2026-11-01"):
            self._run("_cron_renewal_reminders")
        with freeze_time("2026-11-05"):
            self.assertTrue(subscription.price_notice_pending)
            # the payer answered a letter: a clerk records it
            subscription.with_user(self.user).action_decline_price_change()
            self.assertFalse(subscription.price_notice_pending)
            with self.assertRaisesRegex(UserError, "no new price"):
                subscription._decline_price_change()
        self.assertEqual(subscription.date_cancel_planned, date(2026, 11, 30))
        self.assertEqual(
            subscription.churn_reason_id,
            self.env.ref("publication_crm.churn_reason_price"),
        )
        notice = self._notices(subscription)
        self.assertEqual(
            (notice.answer, notice.date_answer), ("declined", date(2026, 11, 5))
        )
        self.assertIn("declined the new price", subscription.message_ids[0].body)
        attempt = subscription.retention_attempt_ids
        self.assertEqual(
            (attempt.outcome, attempt.channel), ("cancelled", "backoffice")
        )
        self.assertEqual(
            (change.declined_count, self.plan_quarterly.price_declined_count), (1, 1)
        )
        with freeze_time("2026-11-30"):
            self._run("_cron_renew", "_cron_apply_planned_changes")
        self.assertEqual(subscription.state, "cancelled")
        self.assertFalse(self._period_from(subscription, "2026-12-01"))

    def test_only_managers_change_prices_and_an_announced_change_stays(self):
        with self.assertRaises(AccessError):
            self.env["publication.price.change"].with_user(self.user).create(
                {
                    "plan_id": self.plan_quarterly.id,
                    "price": 36.0,
                    "date_effective": "2026-12-01",
                }
            )
        with freeze_time("2026-10-01"):
            change = self._change(announce=False)
            self.assertEqual(change.with_user(self.user).state, "draft")
            with self.assertRaisesRegex(UserError, "Renewals From"):
                change.with_user(self.manager).write({"date_effective": "2026-10-01"})
                change.with_user(self.manager).action_announce()
        with freeze_time("2026-10-01"):
            change.with_user(self.manager).write({"date_effective": "2026-12-01"})
            change.with_user(self.manager).action_announce()
        with self.assertRaisesRegex(ValidationError, "at most 366, not 100000"):
            self._change("2027-01-01", announce=False).write({"notice_days": 100000})
        with self.assertRaisesRegex(UserError, "New Price of an announced"):
            change.with_user(self.manager).price = 40.0
        with self.assertRaisesRegex(UserError, "Only a draft price change"):
            change.with_user(self.manager).unlink()


@tagged("post_install", "-at_install")
class TestPriceChangePortal(PriceChangeCommon, HttpCase):
    """Declining over HTTP: the payer logged in; a visitor holding the mailed
    renewal link (the portal token) declines nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_alice = new_test_user(
            cls.env,
            login="price_alice",
            groups="base.group_portal",
            partner_id=cls.alice.id,
        )
        cls.portal_bob = new_test_user(
            cls.env,
            login="price_bob",
            groups="base.group_portal",
            partner_id=cls.bob.id,
        )
        cls.env.company.partner_id.tz = "UTC"

    def setUp(self):
        super().setUp()
        today = fields.Date.context_today(self.env["res.partner"])
        # renews in 30 days at the latest: within the notice of a change from then
        start = today + timedelta(days=30) - relativedelta(months=3)
        self.subscription = self._quarterly(self.alice, start)
        self.change = self._change(
            date_effective=self.subscription.date_end + timedelta(days=1)
        )
        self._run("_cron_renewal_reminders")
        self.notice = self._notices(self.subscription)
        self.assertEqual(self.notice.channel, "mail")
        self.page = f"/my/subscriptions/{self.subscription.id}"
        self.url = f"{self.page}/decline_price"

    def _csrf(self, path):
        return CSRF.search(self.url_open(path).text).group(1)

    def test_payer_declines_on_the_portal(self):
        self.authenticate("price_alice", "price_alice")
        mail = self.subscription.message_ids.filtered(
            lambda m: self.alice in m.partner_ids
        )
        link = re.search(r'href="[^"]*(/web/login\?redirect=[^"]+)"', mail.body)
        response = self.url_open(link.group(1), allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertTrue(response.headers["Location"].endswith(self.page))
        page = self.url_open(self.page)
        self.assertIn("Decline the new price", page.text)
        response = self.url_open(
            self.url, data={"csrf_token": self._csrf(self.page)}, allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        self.assertTrue(response.headers["Location"].endswith(self.page))
        self.env.invalidate_all()
        self.assertEqual(
            self.subscription.date_cancel_planned, self.subscription.date_end
        )
        self.assertEqual(self.notice.answer, "declined")
        self.assertIn("You declined the new price", self.url_open(self.page).text)
        with freeze_time(self.subscription.date_end):
            self._run("_cron_renew", "_cron_apply_planned_changes")
        self.assertEqual(self.subscription.state, "cancelled")
        self.assertEqual(len(self.subscription.period_ids), 1, "not renewed")

    def test_renewal_token_alone_cannot_decline(self):
        token = self.subscription._portal_ensure_token()
        page = self.url_open(f"{self.page}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("New price", page.text, "the holder of the link sees it")
        self.assertNotIn("Decline the new price", page.text)
        response = self.url_open(
            f"{self.url}?access_token={token}",
            data={"csrf_token": self._csrf("/web/login"), "access_token": token},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        self.env.invalidate_all()
        self.assertFalse(self.subscription.date_cancel_planned)
        self.assertEqual(self.notice.answer, "pending")

    def test_other_portal_user_cannot_decline(self):
        own = self._quarterly(self.bob, self.subscription.date_start)
        self.authenticate("price_bob", "price_bob")
        csrf = self._csrf(f"/my/subscriptions/{own.id}")
        response = self.url_open(
            self.url, data={"csrf_token": csrf}, allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.env.invalidate_all()
        self.assertFalse(self.subscription.date_cancel_planned)
        self.assertEqual(self.notice.answer, "pending")
