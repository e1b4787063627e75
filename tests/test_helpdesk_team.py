import re

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import HelpdeskCommon
from .test_helpdesk_mail import MAIL

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestComplaintsReachAPerson(HelpdeskCommon, HttpCase):
    """The monthly names no team: its complaints, from the portal or by e-mail,
    land in the add-on's default team and go to its people in turn, never to
    OdooBot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()
        (cls.portal_alice | cls.portal_bob).write(
            {
                "company_id": cls.env.company.id,
                "company_ids": [Command.set(cls.env.company.ids)],
            }
        )
        cls.alice.email = "alice@example.com"  # new_test_user gave another
        cls.default_team = cls.env.ref(
            "publication_crm.helpdesk_team_subscriber_service"
        ).sudo()
        # the team created on install, moved to the test company
        cls.default_team.write(
            {
                "company_id": cls.env.company.id,
                "user_ids": [Command.set((cls.leader | cls.agent).ids)],
            }
        )

    def setUp(self):
        super().setUp()
        today = fields.Date.context_today(self.env["res.partner"])
        self.subscription = self._active(date_start=today - relativedelta(months=2))

    def _report_on_portal(self):
        self.authenticate("portal_alice", "portal_alice")
        url = f"/my/subscriptions/{self.subscription.id}"
        page = self.url_open(url, allow_redirects=False)
        response = self.url_open(
            f"{url}/complaint",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                "issue_id": self.subscription._portal_issues()[:1].id,
                "kind": "missed",
                "description": "Not in my letterbox",
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        self.env.invalidate_all()
        return self.env["helpdesk.ticket"].search(
            [("subscription_id", "=", self.subscription.id)]
        )

    def _receive_mail(self):
        """An e-mail to the company's general complaints address (an alias of
        tickets without a team), through the mail gateway (it creates the
        ticket as the sender's user, here Alice's portal user)."""
        domain = self.env["mail.alias.domain"].create({"name": "paper.example.com"})
        self.env["mail.alias"].create(
            {
                "alias_name": "complaints",
                "alias_domain_id": domain.id,
                "alias_model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
            }
        )
        message = MAIL.format(
            sender="alice@example.com",
            name="Alice",
            to="complaints@paper.example.com",
            subject="Missing paper",
            msgid="team1",
            extra="",
        )
        ticket_id = self.env["mail.thread"].sudo().message_process(False, message)
        return self.env["helpdesk.ticket"].browse(ticket_id)

    def test_portal_and_mail_complaints_land_in_the_default_team_in_turn(self):
        self.assertFalse(self.monthly.complaint_team_id)
        by_portal = self._report_on_portal()
        by_mail = self._receive_mail()
        self.assertEqual(by_mail.subscription_id, self.subscription)
        self.assertEqual(
            (by_portal | by_mail).team_id, self.default_team, "the default team"
        )
        self.assertEqual(
            (by_portal.user_id, by_mail.user_id),
            (self.leader, self.agent),
            "the member with the fewest open tickets, in turn",
        )

    def test_a_publications_own_team_and_its_people(self):
        self.monthly.complaint_team_id = self.team
        self.team.user_ids = [Command.set(self.agent.ids)]
        ticket = self._receive_mail()
        self.assertEqual((ticket.team_id, ticket.user_id), (self.team, self.agent))

    def test_a_team_without_people_leaves_the_ticket_unassigned(self):
        self.default_team.user_ids = [Command.clear()]
        ticket = self._receive_mail()
        self.assertEqual(ticket.team_id, self.default_team)
        self.assertFalse(ticket.user_id, "nobody rather than OdooBot")

    def test_a_member_keeps_the_ticket_they_take(self):
        ticket = self._ticket(self.alice, team_id=False)
        self.assertEqual(ticket.user_id, self.agent)
        self.assertIn(ticket.team_id, self.agent.helpdesk_team_ids)
