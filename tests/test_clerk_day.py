import ast
import io

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfReader

from .test_distribution import DistributionCommon

CLERK_GROUPS = (
    "base.group_partner_manager",
    "account.group_account_invoice",
    "helpdesk_mgmt.group_helpdesk_user",
    "mass_mailing.group_mass_mailing_user",
)
NOT_CLERK_GROUPS = (
    "publication_crm.group_publication_manager",
    "account.group_account_manager",
    "account.group_account_user",
    "helpdesk_mgmt.group_helpdesk_manager",
    "mass_mailing.group_mass_mailing_campaign",
    "base.group_system",
    "base.group_erp_manager",
    "privacy_partner_to_be_forgotten.group_partner_anonymize",
)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestClerkDay(DistributionCommon, HttpCase):
    """A circulation clerk's day with Publications / User as their only role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._new_user("clerk", "publication_crm.group_publication_user")
        # the team created on install, moved to the test company
        cls.default_team = cls.env.ref(
            "publication_crm.helpdesk_team_subscriber_service"
        ).sudo()
        cls.default_team.company_id = cls.env.company

    def test_the_role_carries_a_clerks_rights_and_no_configuration(self):
        for group in CLERK_GROUPS:
            self.assertTrue(self.clerk.has_group(group), group)
        for group in NOT_CLERK_GROUPS:
            self.assertFalse(self.clerk.has_group(group), group)
        env = self.env(user=self.clerk)
        for model, vals in (
            ("account.journal", {"name": "Cash 2", "code": "CSH2", "type": "cash"}),
            ("account.account", {"name": "Mine", "code": "999999"}),
            ("account.tax", {"name": "Tax 1%", "amount": 1.0}),
            ("res.config.settings", {}),
            ("helpdesk.ticket.team", {"name": "My team"}),
            ("helpdesk.ticket.category", {"name": "Mine"}),
            ("publication.publication", {"name": "Mine", "code": "MINE"}),
        ):
            with self.subTest(model), self.assertRaises(AccessError):
                env[model].create(vals)
        menus = self.env["ir.ui.menu"].with_user(self.clerk)._visible_menu_ids()
        self.assertIn(
            self.env.ref("publication_crm.helpdesk_ticket_complaint_menu").id, menus
        )
        self.assertNotIn(
            self.env.ref("publication_crm.publication_menu_configuration").id, menus
        )

    def test_new_reader_subscribes_and_pays(self):
        Partner = self.env["res.partner"].with_user(self.clerk)
        dora_id, _name = Partner.name_create("Dora Reader")  # Recipient › Create
        dora = Partner.browse(dora_id)
        dora.write({"street": "5 Station Road", "zip": "10200", "city": "Northtown"})
        subscription = self._subscription(user=self.clerk, recipient_id=dora.id)
        subscription.with_user(self.clerk).action_confirm()
        invoice = subscription.with_user(self.clerk).period_ids.invoice_id
        self.assertEqual((invoice.partner_id, invoice.amount_total), (dora, 120.0))
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.clerk)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        wizard.action_create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(subscription.state, "active")

    def test_complaint_taken_in_the_back_office(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.clerk)
        ticket = Ticket.create(
            {
                "name": "No paper",
                "description": "<p>Nothing in March</p>",
                "partner_id": self.alice.id,
                "category_id": self.env.ref(
                    "publication_crm.complaint_category_missed_copy"
                ).id,
            }
        )
        self.assertEqual(ticket.subscription_id, self.alice_sub)
        self.assertEqual(ticket.team_id, self.default_team)
        self.assertIn(ticket.user_id, self.default_team.user_ids)
        action = self.env.ref("publication_crm.helpdesk_ticket_complaint_action")
        self.assertIn(ticket, Ticket.search(ast.literal_eval(action.domain)))
        ticket.write({"priority": "2"})

    def test_email_mailing_to_a_segment(self):
        segment = (
            self.env["publication.segment"]
            .with_user(self.clerk)
            .create({"name": "North", "domain": "[('zip', '=like', '101%')]"})
        )
        action = segment.action_new_mailing()
        mailing = (
            self.env["mailing.mailing"].with_user(self.clerk).browse(action["res_id"])
        )
        self.assertEqual(mailing.mailing_model_real, "publication.subscription")
        self.assertEqual(mailing.mailing_domain, "[('zip', '=like', '101%')]")
        recipients = mailing._get_recipients()
        self.assertIn(self.alice_sub.id, recipients)
        self.assertNotIn(self.bob_sub.id, recipients)

    def test_freeze_at_the_print_date_and_print_labels(self):
        march = self.march.with_user(self.clerk)
        self.assertEqual(str(march.print_date), "2026-02-28")
        self.assertFalse(march.can_freeze_distribution)
        with self.assertRaisesRegex(UserError, "from its print date 02/28/2026 on"):
            march.action_freeze_distribution()
        self.assertFalse(self.march.distribution_frozen_date)
        with freeze_time("2026-02-28 08:00:00"):
            march.invalidate_recordset()
            self.assertTrue(march.can_freeze_distribution)
            march.action_freeze_distribution()
        self.assertTrue(self.march.distribution_frozen_date)
        self.assertFalse(march.can_freeze_distribution)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.clerk)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("publication_crm.action_report_issue_labels", march.ids)
        )
        self.assertEqual(kind, "pdf")
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        self.assertIn("1 Church Lane", " ".join(text.split()))
