from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)

from .common import (
    MAX_CRON_CALLS,
    AdvertisingCommon,
    AutomationCommon,
    HelpdeskCommon,
)

FAILURE = "publication_crm.mail_activity_type_automation_failure"


def _failing_for(model, method, partner):
    """method of model, failing for the records of partner."""
    original = getattr(type(model), method)

    def patched(records, *args):
        if partner in records.mapped("partner_id"):
            raise UserError(records.env._("No address for %s", partner.name))
        return original(records, *args)

    return patched


class FailureAssertions:
    def assertFailedOnce(self, record, text):
        """record shows text, with one note and one failure activity."""
        self.assertIn(text, record.automation_error)
        notes = record.message_ids.filtered(lambda m: text in (m.body or ""))
        self.assertEqual(len(notes), 1, "one note however often it fails")
        failures = record.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(FAILURE)
        )
        self.assertEqual(len(failures), 1, "one activity however often it fails")

    def assertCleared(self, record):
        self.assertFalse(record.automation_error)
        self.assertFalse(
            record.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref(FAILURE)
            ),
            "the failure activity is done",
        )


@tagged("post_install", "-at_install")
class TestAdAutomation(FailureAssertions, AdvertisingCommon):
    def test_failing_booking_does_not_block_the_others(self):
        self._no_cron_commit()
        with freeze_time("2026-01-01"):
            bakery = self._book(self._contract(), date(2026, 2, 1))
            garage = self._book(
                self._contract(partner_id=self.garage.id), date(2026, 2, 1)
            )
        Booking = self.env["publication.ad.booking"]
        failing = _failing_for(Booking, "_send_material_reminder", self.garage)
        with freeze_time("2026-01-22"):
            with patch.object(type(Booking), "_send_material_reminder", failing):
                for _run in range(2):
                    with self.assertLogs(publication_automation.__name__, "WARNING"):
                        Booking._cron_material_reminders()
            self.assertEqual(bakery.material_reminder_date, date(2026, 1, 22))
            self.assertFalse(garage.material_reminder_date, "tried again next run")
            self.assertFailedOnce(garage, "No address for Garage")
            Booking._cron_material_reminders()
        self.assertEqual(garage.material_reminder_date, date(2026, 1, 22))
        self.assertCleared(garage)

    def test_material_reminder_is_found_by_its_activity_type(self):
        self._no_cron_commit()
        with freeze_time("2026-01-01"):
            booking = self._book(self._contract(), date(2026, 2, 1))
            call = booking.activity_schedule(
                "mail.mail_activity_data_todo", summary="Offer a colour upgrade"
            )
        with freeze_time("2026-01-22"):
            self.env["publication.ad.booking"]._cron_material_reminders()
            reminder = booking.activity_ids - call
            self.assertEqual(
                reminder.activity_type_id,
                self.env.ref("publication_crm.mail_activity_type_material_missing"),
            )
            self._attach_material(booking)
            booking.with_user(self.user).action_material_received()
        self.assertEqual(booking.activity_ids, call, "only the reminder is done")


@tagged("post_install", "-at_install")
class TestTicketAutomation(FailureAssertions, HelpdeskCommon):
    def test_failing_ticket_does_not_block_the_others(self):
        self._no_cron_commit()
        with freeze_time("2026-03-10 10:00:00"):
            alice = self._ticket(self.alice)
            bob = self._ticket(self.bob)
        Ticket = self.env["helpdesk.ticket"]
        failing = _failing_for(Ticket, "_escalate_one", self.bob)
        with freeze_time("2026-03-10 17:01:00"):
            with patch.object(type(Ticket), "_escalate_one", failing):
                for _run in range(2):
                    with self.assertLogs(publication_automation.__name__, "WARNING"):
                        Ticket._cron_escalate_overdue()
            self.assertTrue(alice.escalated_date)
            self.assertFalse(bob.escalated_date, "tried again next run")
            self.assertFailedOnce(bob, "No address for Bob")
            Ticket._cron_escalate_overdue()
        self.assertTrue(bob.escalated_date)
        self.assertCleared(bob)
        escalation = self.env.ref("publication_crm.mail_activity_type_escalation")
        self.assertEqual(
            (alice | bob)
            .activity_ids.filtered(lambda a: a.user_id == self.leader)
            .activity_type_id,
            escalation,
        )

    def _no_cron_commit(self):
        self.patch(
            type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: 3600.0
        )


@tagged("post_install", "-at_install")
class TestRenewalActivities(FailureAssertions, AutomationCommon):
    def test_failure_activity_is_found_by_its_type_not_its_summary(self):
        plan_without_product = self.plan_quarterly.copy({"name": "No product"})
        with freeze_time("2026-01-01"):
            bad = self._active_continuous(self.alice, plan=plan_without_product)
        self.monthly.product_id = False
        with freeze_time("2026-03-31"):
            with self.assertLogs(publication_automation.__name__, "WARNING"):
                self._run("_cron_renew")
            bad.activity_ids.summary = "Ask accounting for the product"
            with self.assertLogs(publication_automation.__name__, "WARNING"):
                self._run("_cron_renew")
        self.assertFailedOnce(bad, "Set a Subscription Product")
        with freeze_time("2026-04-01"):
            plan_without_product.product_id = self.product
            self._run("_cron_renew")
        self.assertCleared(bad)

    def test_renewal_call_is_found_by_its_type_not_its_summary(self):
        with freeze_time("2026-01-01"):
            sponsored = self.env["publication.subscription"].create(
                {
                    "recipient_id": self.bob.id,
                    "payer_id": self.sponsor.id,
                    "origin": "sponsored",
                    "publication_id": self.monthly.id,
                    "plan_id": self.plan_annual.id,
                }
            )
            sponsored.action_confirm()
            self._pay(self._invoice(sponsored))
        with freeze_time("2026-12-01"):
            self._run("_cron_renewal_reminders")
        call = sponsored.activity_ids
        self.assertEqual(
            call.activity_type_id,
            self.env.ref("publication_crm.mail_activity_type_renewal_call"),
        )
        call.summary = "Called, no answer: try again"
        with freeze_time("2026-12-20"):
            self._run("_cron_renewal_reminders")
        self.assertEqual(sponsored.activity_ids, call, "one call for the term")


@tagged("post_install", "-at_install")
class TestRunHelper(AutomationCommon):
    def test_an_action_that_never_completes_fails_the_test(self):
        """_run of tests/common.py calls an action again while it says that it
        ran out of time: MAX_CRON_CALLS times at most, then the test fails
        instead of hanging."""
        calls = []

        def never_complete(automation):
            calls.append(automation)
            return False

        failure = None
        # not assertRaises: its savepoint would be released by a "commit"
        with patch.object(
            type(self.env["publication.automation"]), "_cron_renew", never_complete
        ):
            try:
                self._run("_cron_renew")
            except AssertionError as error:
                failure = str(error)
        self.assertIn("_cron_renew never says it is complete", failure or "")
        self.assertEqual(len(calls), MAX_CRON_CALLS)
