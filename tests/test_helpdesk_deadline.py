from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.base.models.ir_cron import IrCron

from .common import HelpdeskCommon


@tagged("post_install", "-at_install")
class TestHelpdeskDeadline(HelpdeskCommon):
    def _escalate(self):
        with patch.object(IrCron, "_commit_progress", return_value=60.0):
            self.env["helpdesk.ticket"]._cron_escalate_overdue(batch_size=1)

    def _leader_activities(self, ticket):
        return ticket.activity_ids.filtered(lambda a: a.user_id == self.leader)

    @freeze_time("2026-03-10 10:00:00")  # a Tuesday
    def test_same_working_day_before_cutoff(self):
        ticket = self._ticket(self.alice)
        self.assertEqual(ticket.response_deadline, datetime(2026, 3, 10, 17, 0))

    @freeze_time("2026-03-13 18:30:00")  # a Friday, after the cut-off
    def test_same_working_day_after_cutoff_on_friday_is_monday(self):
        ticket = self._ticket(self.alice)
        self.assertEqual(ticket.response_deadline, datetime(2026, 3, 16, 17, 0))

    @freeze_time("2026-03-10 10:00:00")
    def test_same_working_day_in_the_company_time_zone(self):
        self.env.company.partner_id.tz = "Europe/Berlin"  # UTC+1 in March
        ticket = self._ticket(self.alice)
        self.assertEqual(ticket.response_deadline, datetime(2026, 3, 10, 16, 0))

    @freeze_time("2026-03-10 10:00:00")
    def test_deadline_in_hours_and_by_category_change(self):
        ticket = self._ticket(self.alice, self.cat_late)
        self.assertEqual(ticket.response_deadline, datetime(2026, 3, 11, 10, 0))
        ticket.category_id = self.cat_billing
        self.assertEqual(ticket.response_deadline, datetime(2026, 3, 12, 10, 0))

    def test_overdue_filter_and_escalation_once(self):
        with freeze_time("2026-03-10 10:00:00"):
            late = self._ticket(self.alice)
            answered = self._ticket(self.bob)
            closed = self._ticket(self.carol)
            in_time = self._ticket(self.alice, self.cat_late)
        with freeze_time("2026-03-10 12:00:00"):
            answered.with_user(self.agent).message_post(
                body="We send it again today.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            closed.stage_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        tickets = late | answered | closed | in_time
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        with freeze_time("2026-03-10 17:01:00"):
            self.assertEqual(Ticket.search([("id", "in", tickets.ids)]), tickets)
            overdue = Ticket.search(
                [("id", "in", tickets.ids), ("is_overdue", "=", True)]
            )
            self.assertEqual(overdue, late)
            self.assertEqual(
                Ticket.search([("id", "in", tickets.ids), ("is_overdue", "=", False)]),
                tickets - late,
            )
            self.assertTrue(late.is_overdue)
            self.assertFalse(answered.is_overdue)
            self._escalate()
            self.assertEqual(len(self._leader_activities(late)), 1)
            self.assertFalse(self._leader_activities(answered | closed | in_time))
            self.assertEqual(late.escalated_date, datetime(2026, 3, 10, 17, 1))
            self.assertIn("escalated", late.message_ids.sorted("id")[-1].body)
            self._escalate()
            self.assertEqual(len(self._leader_activities(late)), 1, "only once")

    def test_response_and_close_times(self):
        with freeze_time("2026-03-10 09:00:00"):
            ticket = self._ticket(self.alice)
        with freeze_time("2026-03-10 09:30:00"):
            ticket.with_user(self.alice.user_ids or self.env.user).message_post(
                body="Internal note",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertFalse(ticket.first_response_date, "a note is no response")
        with freeze_time("2026-03-10 11:30:00"):
            ticket.with_user(self.agent).message_post(
                body="Sorry, it is on its way.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        with freeze_time("2026-03-11 09:00:00"):
            ticket.with_user(self.agent).stage_id = self.env.ref(
                "helpdesk_mgmt.helpdesk_ticket_stage_done"
            )
        self.assertEqual(ticket.first_response_date, datetime(2026, 3, 10, 11, 30))
        self.assertAlmostEqual(ticket.response_time, 2.5)
        self.assertAlmostEqual(ticket.close_time, 24.0)
        with freeze_time("2026-03-10 09:00:00"):
            unanswered = self._ticket(self.bob)
        with freeze_time("2026-03-10 13:00:00"):
            other = self._ticket(self.bob, user=self.leader, user_id=self.leader.id)
        with freeze_time("2026-03-10 14:00:00"):
            other.with_user(self.leader).message_post(
                body="Done.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        tickets = ticket | unanswered | other
        self.assertEqual(
            self.env["helpdesk.ticket"]._read_group(
                [("id", "in", tickets.ids)],
                [],
                ["response_time:avg", "close_time:avg"],
            ),
            [(1.75, 24.0)],  # (2.5 + 1) / 2; the unanswered ticket is left out
        )
        by_user = self.env["helpdesk.ticket"]._read_group(
            [("id", "in", tickets.ids)], ["user_id"], ["response_time:avg"]
        )
        self.assertEqual(dict(by_user), {self.agent: 2.5, self.leader: 1.0})

    def test_escalation_without_team_leader_goes_to_a_helpdesk_manager(self):
        self.team.user_id = False
        with freeze_time("2026-03-10 10:00:00"):
            ticket = self._ticket(self.alice)
        with freeze_time("2026-03-11 08:00:00"):
            self._escalate()
        managers = self.env.ref("helpdesk_mgmt.group_helpdesk_manager").all_user_ids
        self.assertEqual(len(ticket.activity_ids), 1)
        self.assertIn(ticket.activity_ids.user_id, managers)
        self.assertFalse(ticket.activity_ids.user_id.share)
        self.assertTrue(ticket.escalated_date)
