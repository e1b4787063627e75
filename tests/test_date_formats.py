"""Dates in the text the add-on writes for people: chatter notes in the
format of the payer's language (they are the ones mailed), errors and
portal answers in the format of the user's, never ISO (2027-01-10)."""

import re
from datetime import date
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.base.models.ir_cron import IrCron

from .common import HelpdeskCommon, PublicationCommon

# each language's date format, as res.lang has it
FORMATS = {"fi_FI": "%d.%m.%Y", "en_US": "%m/%d/%Y"}
OTHER = {"fi_FI": "en_US", "en_US": "fi_FI"}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# the answer shown on the page (the alert of the subscription's page)
ALERT = re.compile(r'role="(?:status|alert)">(.*?)</div>', re.DOTALL)


def _in(lang, *days):
    return [day.strftime(FORMATS[lang]) for day in days]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestDatesInMessages(PublicationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fi_FI")

    def _payer(self, lang):
        """A reader paying for themself, in lang; the clerk in the other."""
        self.user.lang = OTHER[lang]
        partner = self.env["res.partner"].create({"name": f"Reader {lang}"})
        partner.lang = lang
        return self._confirmed(recipient_id=partner.id, date_start="2026-06-01")

    def _assert_dates(self, text, lang, *days):
        for day in _in(lang, *days):
            self.assertIn(day, text)
        self.assertFalse(ISO.search(text), text)

    def test_pause_note_in_the_payers_format(self):
        """The clerk pauses; the note is for the payer, in their format."""
        for lang in FORMATS:
            with self.subTest(lang=lang):
                subscription = self._payer(lang)
                subscription.with_user(self.user)._pause(
                    date(2027, 1, 10), date(2027, 2, 10)
                )
                self.assertEqual(subscription.date_end, date(2027, 6, 1))
                self._assert_dates(
                    subscription.message_ids[0].body,
                    lang,
                    date(2027, 1, 10),
                    date(2027, 2, 10),
                    date(2027, 6, 1),
                )

    def test_error_in_the_users_format(self):
        """An error is for the user who meets it, in their format, whatever
        the payer's language."""
        for lang in FORMATS:
            with self.subTest(lang=lang):
                subscription = self._payer(OTHER[lang])
                self.assertEqual(self.user.lang, lang)
                # as the web client calls: in the context, the user's language
                subscription = subscription.with_user(self.user).with_context(lang=lang)
                subscription._pause(date(2027, 1, 10), date(2027, 2, 10))
                with self.assertRaises(ValidationError) as caught:
                    subscription._pause(date(2027, 1, 20), date(2027, 1, 25))
                self._assert_dates(
                    str(caught.exception),
                    lang,
                    date(2027, 1, 20),
                    date(2027, 1, 25),
                    date(2027, 1, 10),
                )
                with self.assertRaises(UserError) as caught:
                    subscription._cancel(date(2026, 1, 1), self.reason_moved)
                self._assert_dates(str(caught.exception), lang, date(2026, 1, 1))

    def test_credit_notes_in_each_payers_format(self):
        """Cancelled together, readers of two languages get credit notes
        each in theirs (their reference and their lines)."""
        subscriptions = self.env["publication.subscription"]
        for lang in FORMATS:
            subscription = self._payer(lang)
            self._pay(self._invoice(subscription))
            subscriptions |= subscription
        subscriptions.with_user(self.user)._cancel(date(2026, 6, 1), self.reason_moved)
        for subscription, lang in zip(subscriptions, FORMATS, strict=True):
            refund = self._refund(subscription)
            self.assertEqual(len(refund), 1)
            for text in (refund.ref, *refund.invoice_line_ids.mapped("name")):
                self._assert_dates(text, lang, date(2026, 6, 1))

    def test_no_iso_date_in_the_chatter(self):
        """The notes of a subscription's life, each with a date."""
        subscription = self._payer("fi_FI")
        self._pay(self._invoice(subscription))
        subscription = subscription.with_user(self.user)
        subscription._pause(date(2027, 1, 10), date(2027, 2, 10))
        subscription._extend_by_issues(1)
        subscription._change_delivery_address(self.bob, date(2026, 9, 1))
        subscription._change_delivery_address(self.bob, date(2026, 6, 1))
        subscription._plan_copies(2)
        subscription.action_switch_to_continuous()
        subscription._cancel(date(2026, 12, 31), self.reason_moved)
        bodies = subscription.message_ids.mapped("body")
        self.assertGreaterEqual(len(bodies), 7)
        for body in bodies:
            self.assertFalse(ISO.search(body), body)
        for day in ("01.06.2027", "01.09.2026", "31.12.2026"):
            self.assertTrue([body for body in bodies if day in body], day)


@tagged("post_install", "-at_install")
class TestDatesOnThePortal(HelpdeskCommon, HttpCase):
    """The portal answers the reader in their language's format: a refusal
    (an error of the models) and an answer of the controller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fi_FI")
        cls._create_portal_users()
        cls.monthly.pause_notice_days = 3
        cls.reason_price = cls.env.ref("publication_crm.churn_reason_price")

    def setUp(self):
        super().setUp()
        # the portal's today is the reader's (in Helsinki it is tomorrow
        # already from 21:00 UTC in winter)
        self.alice.tz = "Europe/Helsinki"
        self.today = fields.Date.context_today(
            self.env["res.partner"].with_context(tz=self.alice.tz)
        )
        self.subscription = self._active(
            date_start=self.today - relativedelta(months=2)
        )

    def _post(self, lang, action, **data):
        """Alice, reading the portal in lang, submits a form of her
        subscription; the answer shown (the alert of the page)."""
        self.alice.lang = lang
        self.authenticate("portal_alice", "portal_alice")
        url = f"/my/subscriptions/{self.subscription.id}"
        data["csrf_token"] = CSRF.search(self.url_open(url).text).group(1)
        response = self.url_open(f"{url}/{action}", data=data, allow_redirects=False)
        self.env.invalidate_all()
        if response.status_code in (302, 303):
            response = self.url_open(response.headers["Location"])
        else:
            self.assertEqual(response.status_code, 400, response.text[:300])
        return ALERT.search(response.text).group(1)

    def _assert_dates(self, text, lang, *days):
        for day in _in(lang, *days):
            self.assertIn(day, text)
        self.assertFalse(ISO.search(text), text)

    def _pause_refused(self, lang):
        start = self.today + relativedelta(days=1)
        answer = self._post(
            lang,
            "pause",
            date_from=fields.Date.to_string(start),
            date_to=fields.Date.to_string(start + relativedelta(days=40)),
        )
        self.assertFalse(self.subscription.pause_ids)
        self._assert_dates(answer, lang, start, self.today + relativedelta(days=3))

    def test_pause_refusal_in_finnish(self):
        self._pause_refused("fi_FI")

    def test_pause_refusal_in_english(self):
        self._pause_refused("en_US")

    def _cancelled(self, lang):
        """The answer to a planned cancellation, then the refusal of a second."""
        last_day = self.today + relativedelta(days=20)
        data = {
            "outcome": "cancelled",
            "churn_reason_id": self.reason_price.id,
            "date_cancel": fields.Date.to_string(last_day),
        }
        answer = self._post(lang, "cancel", **data)
        self.assertEqual(self.subscription.date_cancel_planned, last_day)
        self._assert_dates(answer, lang, last_day)
        self._assert_dates(self._post(lang, "cancel", **data), lang, last_day)

    def test_cancellation_in_finnish(self):
        self._cancelled("fi_FI")

    def test_cancellation_in_english(self):
        self._cancelled("en_US")


@tagged("post_install", "-at_install")
class TestDatesForStaff(HelpdeskCommon):
    """An activity is read by the user it is assigned to: its dates in their
    format, a time in their time zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fi_FI")

    def test_escalation_in_the_leaders_format_and_zone(self):
        self.leader.write({"lang": "fi_FI", "tz": "Europe/Helsinki"})
        with freeze_time("2026-03-10 10:00:00"):
            ticket = self._ticket(self.alice)
        self.assertEqual(ticket.response_deadline.hour, 17)  # UTC
        with (
            freeze_time("2026-03-10 17:01:00"),
            patch.object(IrCron, "_commit_progress", return_value=60.0),
        ):
            self.env["helpdesk.ticket"]._cron_escalate_overdue(batch_size=1)
        activity = ticket.activity_ids.filtered(lambda a: a.user_id == self.leader)
        note = str(activity.note)
        for text in ("10.03.2026 19", "Europe/Helsinki"):
            self.assertIn(text, note)
        self.assertFalse(ISO.search(note), note)
