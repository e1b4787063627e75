from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)

from .common import AutomationCommon


@tagged("post_install", "-at_install")
class TestTrialConversion(AutomationCommon):
    """A trial of the daily (24 issues, 29 days without an issue calendar)
    converts to the daily's annual paid offer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_trial.conversion_plan_id = cls.plan_daily
        cls.readers = cls.env["res.partner"].create(
            [
                {"name": f"Reader {n}", "email": f"reader{n}@example.com"}
                for n in range(3)
            ]
        )

    def _trials(self, partners):
        with freeze_time("2026-01-01"):
            trials = self.env["publication.subscription"].create(
                [
                    {
                        "recipient_id": partner.id,
                        "publication_id": self.daily.id,
                        "plan_id": self.plan_trial.id,
                        "date_start": "2026-01-01",
                    }
                    for partner in partners
                ]
            )
            trials.action_confirm()
        self.assertEqual(trials.mapped("date_end"), [date(2026, 1, 29)] * len(trials))
        return trials

    def test_a_trial_offer_cannot_be_continuous(self):
        other_trial = self.plan_trial.copy({"conversion_plan_id": False})
        with self.assertRaisesRegex(ValidationError, "cannot renew continuously"):
            other_trial.renewal_type = "continuous"
        other_trial.invalidate_recordset()
        with self.assertRaisesRegex(ValidationError, "must be a paid offer"):
            self.plan_trial.conversion_plan_id = other_trial
        with self.assertRaisesRegex(ValidationError, "must be a paid offer"):
            self.plan_daily.conversion_plan_id = self.plan_daily.copy()
        with self.assertRaisesRegex(ValidationError, "must be a paid offer"):
            self.plan_trial.conversion_plan_id = self.plan_annual  # the monthly's

    def test_the_offer_is_sent_once_per_trial_at_its_end(self):
        trials = self._trials(self.readers)
        with patch.object(publication_automation, "BATCH_SIZE", 2):
            for day in ("2026-01-28", "2026-01-29", "2026-01-30"):
                with freeze_time(day):
                    self._run("_cron_renewal_reminders")
        self.assertEqual(
            self._events(trials),
            [(date(2026, 1, 29), trial, "trial_offer", 0) for trial in trials],
        )
        for trial in trials:
            offer = trial.message_ids.filtered(
                lambda m: m.message_type == "email_outgoing"
            )
            self.assertEqual(len(offer), 1, "kept from the mass mailing")
            mail = (
                self.env["mail.mail"]
                .sudo()
                .search([("mail_message_id", "=", offer.id)])
            )
            self.assertEqual(mail.recipient_ids, trial.payer_id)
            self.assertIn("Daily annual", offer.body)
            self.assertIn(f"/publication/renew/{trial.id}?access_token=", offer.body)
        self.assertFalse(trials.filtered("automation_error"))

    def test_no_offer_without_a_paid_offer_to_convert_to(self):
        self.plan_trial.conversion_plan_id = False
        trials = self._trials(self.readers[:1])
        with freeze_time("2026-01-29"):
            self._run("_cron_renewal_reminders")
            self.assertFalse(trials._invoice_to_pay_online(), "nothing to accept")
        self.assertFalse(self._events(trials))

    def test_accepting_continues_on_the_paid_offer_and_counts_as_renewed(self):
        trial = self._trials(self.readers[:1])
        with freeze_time("2026-01-28"):
            self.assertFalse(trial._online_offer(), "not before its end")
        with freeze_time("2026-01-29"):
            self._run("_cron_renewal_reminders")
            invoice = trial._invoice_to_pay_online()
            self.assertEqual(trial._invoice_to_pay_online(), invoice, "once")
        paid = trial.converted_subscription_id
        self.assertRecordValues(
            paid,
            [
                {
                    "recipient_id": self.readers[0].id,
                    "plan_id": self.plan_daily.id,
                    "date_start": date(2026, 1, 30),
                    "state": "waiting",
                    "origin": "new",
                }
            ],
        )
        self.assertEqual(self._invoice(paid), invoice)
        self.assertEqual(invoice.amount_untaxed, 300.0)
        self.assertEqual(trial.state, "expired")
        self.assertEqual(len(trial.period_ids), 1, "the trial never renewed at 0")
        self.assertEqual(
            [e[2] for e in self._events(trial)], ["trial_offer", "trial_conversion"]
        )
        conversion = trial.renewal_event_ids.filtered(
            lambda e: e.kind == "trial_conversion"
        )
        self.assertEqual(conversion.invoice_id, invoice)
        self.env["publication.renewal.report"]._refresh()
        report = self.env["publication.renewal.report"].search(
            [("subscription_id", "=", trial.id)]
        )
        self.assertEqual(report.renewed_count, 1, "the trial term counts as renewed")
        with freeze_time("2026-02-05"):
            self._run()
        self.assertFalse(self._events(trial, "winback"))
        self.assertEqual(trial.state, "expired")

    def test_accepted_after_its_end_starts_today(self):
        trial = self._trials(self.readers[:1])
        with freeze_time("2026-02-03"):
            trial._invoice_to_pay_online()
        self.assertEqual(trial.converted_subscription_id.date_start, date(2026, 2, 3))

    def test_a_trial_never_renews_at_zero(self):
        trial = self._trials(self.readers[:1])
        with freeze_time("2026-01-01"):
            continuous_trial = self._subscription(
                recipient_id=self.readers[1].id,
                plan_id=self.plan_quarterly.id,
                origin="trial",
            )
            continuous_trial.action_confirm()
        self.assertEqual(continuous_trial.renewal_type, "continuous")
        self.assertEqual(continuous_trial.amount, 0.0)
        with freeze_time("2026-01-29"):
            with self.assertRaisesRegex(UserError, "it is a trial"):
                trial.with_user(self.user).action_renew()
            with self.assertRaisesRegex(UserError, "it is a trial"):
                trial._renew()
        with freeze_time("2026-04-20"):
            self._run()
        self.assertEqual(len(continuous_trial.period_ids), 1, "not renewed at 0")
        self.assertEqual(continuous_trial.state, "expired")
        self.assertFalse(continuous_trial.automation_error)
