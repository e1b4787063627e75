from freezegun import freeze_time

from odoo.tests import tagged

from .common import HelpdeskCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10 10:00:00")
class TestHelpdeskRating(HelpdeskCommon):
    def _close_and_rate(self, ticket, score):
        ticket.with_user(ticket.user_id).stage_id = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_done"
        )
        rating = ticket.rating_ids
        self.assertEqual(len(rating), 1, "closing sends one rating request")
        self.assertEqual(rating.partner_id, ticket.partner_id)
        self.assertFalse(rating.consumed)
        ticket.rating_apply(score, token=rating.access_token)
        return rating

    def test_rating_request_on_closing_and_averages(self):
        ticket_1 = self._ticket(self.alice, self.cat_missed)
        ticket_2 = self._ticket(self.bob, self.cat_missed, user_id=self.leader.id)
        ticket_3 = self._ticket(self.bob, self.cat_late)
        unrated = self._ticket(self.carol, self.cat_late)
        self.assertFalse(ticket_1.rating_ids, "no request while open")
        self._close_and_rate(ticket_1, 5)
        self._close_and_rate(ticket_2, 1)
        self._close_and_rate(ticket_3, 3)
        self.assertEqual(ticket_1.rating_score, 5)
        self.assertFalse(unrated.rating_score)
        tickets = ticket_1 | ticket_2 | ticket_3 | unrated
        Ticket = self.env["helpdesk.ticket"].with_user(self.leader)
        by_category = dict(
            Ticket._read_group(
                [("id", "in", tickets.ids)], ["category_id"], ["rating_score:avg"]
            )
        )
        self.assertEqual(by_category, {self.cat_missed: 3.0, self.cat_late: 3.0})
        by_user = dict(
            Ticket._read_group(
                [("id", "in", tickets.ids)], ["user_id"], ["rating_score:avg"]
            )
        )
        self.assertEqual(by_user, {self.agent: 4.0, self.leader: 1.0})
