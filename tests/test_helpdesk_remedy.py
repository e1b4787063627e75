from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.base.models.ir_cron import IrCron

from .common import HelpdeskCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10 10:00:00")
class TestHelpdeskRemedy(HelpdeskCommon):
    def setUp(self):
        super().setUp()
        self.subscription = self._active()
        self.ticket = self._ticket(self.alice)
        self.march = self._issue(self.monthly, date(2026, 3, 1))

    def _last_body(self, record):
        return record.message_ids.sorted("id")[-1].body

    def _apply(self, action, **values):
        wizard = self.env[action["res_model"]].with_user(self.agent)
        with Form(wizard.browse(action["res_id"])) as form:
            for name, value in values.items():
                setattr(form, name, value)
        form.record.action_apply()

    def test_ticket_linked_to_subscription_issue_and_route(self):
        self.assertRecordValues(
            self.ticket,
            [
                {
                    "subscription_id": self.subscription.id,
                    "publication_id": self.monthly.id,
                    "issue_id": self.march.id,
                    "route_id": self.route_north.id,
                    "complaint_code": "missed_copy",
                }
            ],
        )

    def test_resend_issue_counts_a_replacement_copy(self):
        self.assertEqual(self.march.print_run, 1)
        action = self.ticket.with_user(self.agent).action_resend_issue()
        self.assertEqual(action["res_model"], "publication.ticket.remedy.wizard")
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.quantity, 1, "the subscription's copies")
        self._apply(action, quantity=2)
        replacement = self.ticket.replacement_ids
        self.assertRecordValues(
            replacement,
            [
                {
                    "issue_id": self.march.id,
                    "subscription_id": self.subscription.id,
                    "route_id": self.route_north.id,
                    "delivery_method": "carrier",
                    "quantity": 2,
                }
            ],
        )
        self.env.invalidate_all()
        self.assertEqual(self.march.print_run, 3, "the replacement is distributed")
        self.assertRecordValues(
            self.march.distribution_ids,
            [{"route_id": self.route_north.id, "copies": 3, "replacement_copies": 2}],
        )
        self.assertIn("sent again", self._last_body(self.ticket))
        self.assertIn("sent again (2 copies, route", self._last_body(self.subscription))
        self.assertTrue(self.ticket.first_response_date, "a remedy answers")

    def test_resend_one_copy_says_one_copy(self):
        """One copy sent again reads "1 copy", not "1 copy/copies"."""
        action = self.ticket.with_user(self.agent).action_resend_issue()
        self._apply(action)
        body = self._last_body(self.ticket)
        self.assertIn("sent again (1 copy, route", body)
        self.assertNotIn("copies", body)

    def test_resend_issue_refuses_no_copies(self):
        action = self.ticket.with_user(self.agent).action_resend_issue()
        wizard = self.env[action["res_model"]].with_user(self.agent)
        wizard = wizard.browse(action["res_id"])
        wizard.quantity = 0
        with self.assertRefused(UserError, "Copies", "0"):
            wizard.action_apply()
        self.assertFalse(self.ticket.replacement_ids)

    def test_extend_by_one_issue(self):
        self.assertEqual(self.subscription.date_end, date(2026, 12, 31))
        self.ticket.with_user(self.agent).action_extend_subscription()
        self.assertEqual(self.subscription.date_end, date(2027, 1, 1))
        self.assertEqual(self.subscription.period_ids.date_end, date(2027, 1, 1))
        self.assertEqual(
            len(self.subscription.period_ids.invoice_id), 1, "free of charge"
        )
        self.assertIn("extended by one issue", self._last_body(self.ticket))
        self.assertIn("Extended by 1 issue", self._last_body(self.subscription))

    def test_change_address_today_moves_the_route(self):
        new_home = self.env["res.partner"].create(
            {
                "name": "Alice (new home)",
                "type": "delivery",
                "zip": "10700",
                "parent_id": self.alice.id,
            }
        )
        action = self.ticket.with_user(self.agent).action_change_address()
        self._apply(action, address_id=new_home)
        self.assertEqual(self.subscription.delivery_address_id, new_home)
        self.assertEqual(self.subscription.route_id, self.route_south)
        self.assertIn("Delivery address changed", self._last_body(self.ticket))
        self.assertIn("Delivery address changed", self._last_body(self.subscription))

    def test_change_address_later_is_applied_by_the_scheduled_action(self):
        new_home = self.env["res.partner"].create(
            {
                "name": "Alice (new home)",
                "type": "delivery",
                "zip": "10700",
                "parent_id": self.alice.id,
            }
        )
        action = self.ticket.with_user(self.agent).action_change_address()
        self._apply(action, address_id=new_home, date_from=date(2026, 4, 1))
        self.assertEqual(self.subscription.delivery_address_id, self.alice)
        self.assertEqual(self.subscription.next_delivery_address_id, new_home)
        Automation = self.env["publication.automation"]
        with patch.object(IrCron, "_commit_progress", return_value=60.0):
            Automation._cron_apply_address_changes()
            self.assertEqual(
                self.subscription.delivery_address_id, self.alice, "not yet"
            )
            with freeze_time("2026-04-01 06:00:00"):
                Automation._cron_apply_address_changes()
        self.assertEqual(self.subscription.delivery_address_id, new_home)
        self.assertEqual(self.subscription.route_id, self.route_south)
        self.assertFalse(self.subscription.next_delivery_address_id)

    def test_pause(self):
        action = self.ticket.with_user(self.agent).action_pause_subscription()
        self._apply(action, date_from=date(2026, 7, 1), date_to=date(2026, 8, 31))
        self.assertRecordValues(
            self.subscription.pause_ids,
            [{"date_from": date(2026, 7, 1), "date_to": date(2026, 8, 31)}],
        )
        self.assertEqual(self.subscription.date_end, date(2027, 2, 1))
        self.assertIn("paused", self._last_body(self.ticket))
        self.assertIn("paused", self._last_body(self.subscription))

    def test_cancel_with_prorated_credit_note(self):
        action = self.ticket.with_user(self.agent).action_cancel_subscription()
        with freeze_time("2026-06-30 10:00:00"):
            self._apply(
                action, date_from=date(2026, 6, 30), churn_reason_id=self.reason_moved
            )
        self.assertRecordValues(
            self.subscription,
            [
                {
                    "state": "cancelled",
                    "date_end": date(2026, 6, 30),
                    "churn_reason_id": self.reason_moved.id,
                }
            ],
        )
        refund = self._refund(self.subscription)
        self.assertEqual(refund.move_type, "out_refund")
        # 184 of 365 days (July to December) of 120.00 are credited
        self.assertAlmostEqual(refund.amount_total, round(120.0 * 184 / 365, 2))
        self.assertIn(refund.name, self._last_body(self.ticket))
        self.assertIn("cancelled", self._last_body(self.subscription))

    def test_remedy_without_subscription_is_refused(self):
        ticket = self._ticket(self.carol)
        self.assertFalse(ticket.subscription_id)
        with self.assertRefused(UserError, ticket.number, "no Subscription"):
            ticket.with_user(self.agent).action_resend_issue()
        with self.assertRefused(UserError, "no Subscription"):
            ticket.with_user(self.agent).action_pause_subscription()

    def test_remedy_on_a_closed_subscription_is_refused(self):
        with freeze_time("2026-03-31 10:00:00"):
            self.subscription._cancel(date(2026, 3, 31), self.reason_moved)
        with self.assertRefused(UserError, self.subscription.name, "Cancelled"):
            self.ticket.with_user(self.agent).action_extend_subscription()

    # -- one remedy per subscription and issue -------------------------------
    def _assert_no_second_remedy(self, first, apply):
        """apply() is refused naming the subscription, the issue and first,
        and sends nothing again nor moves the end."""
        end = self.subscription.date_end
        Replacement = self.env["publication.issue.replacement"]
        replacements = Replacement.search_count([])
        with self.assertRefused(
            UserError, self.subscription.name, self.march.name, first.number
        ):
            apply()
        self.assertEqual(self.subscription.date_end, end)
        self.assertEqual(Replacement.search_count([]), replacements)

    def test_an_issue_is_made_good_once_from_any_ticket(self):
        again = self._ticket(self.alice, self.cat_damaged)
        self.assertEqual(again.issue_id, self.march)
        # both remedy wizards opened before either is applied
        resend_first = self.ticket.with_user(self.agent).action_resend_issue()
        resend_again = again.with_user(self.agent).action_resend_issue()
        self._apply(resend_first)
        self.assertEqual(self.ticket.replacement_ids.quantity, 1)
        agent_again = again.with_user(self.agent)
        self._assert_no_second_remedy(self.ticket, lambda: self._apply(resend_again))
        self._assert_no_second_remedy(self.ticket, agent_again.action_resend_issue)
        self._assert_no_second_remedy(
            self.ticket, agent_again.action_extend_subscription
        )
        self._assert_no_second_remedy(
            self.ticket, self.ticket.with_user(self.agent).action_extend_subscription
        )
        # another issue is another remedy
        february = self._issue(self.monthly, date(2026, 2, 1))
        other = self._ticket(self.alice, issue_id=february.id)
        other.with_user(self.agent).action_extend_subscription()
        self.assertEqual(self.subscription.date_end, date(2027, 1, 1))
        self.assertEqual(other.extended_date, date(2026, 3, 10))

    def test_an_extension_is_not_followed_by_a_copy_sent_again(self):
        self.ticket.with_user(self.agent).action_extend_subscription()
        self.assertEqual(self.subscription.date_end, date(2027, 1, 1))
        again = self._ticket(self.alice).with_user(self.agent)
        self._assert_no_second_remedy(self.ticket, again.action_resend_issue)
        self._assert_no_second_remedy(self.ticket, again.action_extend_subscription)

    def test_portal_report_joins_the_ticket_that_made_the_issue_good(self):
        """A billing complaint about the same subscription is not joined; the
        back office's ticket that sent the copy again is, without an
        extension."""
        billing = self._ticket(self.alice, self.cat_billing)
        self.ticket.with_user(self.agent)._resend_issue(1)
        self.monthly.portal_remedy = "extend"
        subscription = self.subscription.sudo()
        joined = subscription._portal_report_copy(
            self.march, "damaged", "Torn in half", self.alice
        )
        self.assertEqual(joined, self.ticket)
        self.assertNotEqual(joined, billing)
        self.assertEqual(joined.report_count, 2)
        self.assertEqual(self.subscription.date_end, date(2026, 12, 31))
        self.assertIn(self.alice, joined.message_partner_ids)
        message = joined.message_ids.sorted("id")[-1]
        self.assertEqual(message.author_id, self.alice)
        self.assertIn("Torn in half", message.body)
