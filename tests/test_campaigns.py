import ast
import csv
import io
from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.pdf import PdfReader

from .common import AutomationCommon


@tagged("post_install", "-at_install")
class TestCampaigns(AutomationCommon, HttpCase):
    """Segments, e-mail and postal mailings to them, and the campaign figures.
    (HttpCase: wkhtmltopdf loads the PDF documents' styles from the server.)"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref(
            "mass_mailing.group_mass_mailing_user"
        ) | cls.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        Partner = cls.env["res.partner"]
        cls.alice.write({"email": "alice@example.com", "street": "1 Main St"})
        cls.bob.write({"email": "bob@example.com", "street": "2 Main St"})
        cls.carol.write({"email": "carol@example.com", "city": "Hill"})
        cls.dave = Partner.create(
            {
                "name": "Dave",
                "zip": "10200",
                "street": "4 Side St",
                "email": "ALICE@example.com",
            }
        )
        cls.campaign = cls.env["utm.campaign"].create(
            {"name": "Christmas renewals", "publication_cost": 300.0}
        )

    def _segment(self, domain, model="publication.subscription"):
        return self.env["publication.segment"].create(
            {"name": "Test segment", "model_name": model, "domain": repr(domain)}
        )

    def _mailing(self, segment, **vals):
        return self.env["mailing.mailing"].create(
            {
                "subject": "Renew now",
                "mailing_model_id": self.env["ir.model"]._get(segment.model_name).id,
                "mailing_domain": repr(segment._get_domain()),
                "body_html": "<p>Ends on <t t-out='object.date_end'/>, "
                "<t t-out='object.plan_id.name'/> at <t t-out='object.amount'/>: "
                "<t t-out='object.get_portal_url()'/></p>",
                "campaign_id": self.campaign.id,
            }
            | vals
        )

    def test_ready_made_segments(self):
        """The data segments select what their names say, today relative."""
        with freeze_time("2024-01-01"):
            loyal = self._confirmed(recipient_id=self.bob.id, date_start="2024-01-01")
        with freeze_time("2025-10-01"):
            lost = self._confirmed(recipient_id=self.carol.id, date_start="2025-10-01")
            long_lost = self._confirmed(
                recipient_id=self.dave.id, date_start="2024-10-01"
            )
        with freeze_time("2026-11-15"):
            (lost | long_lost)._expire()
            ending = self._confirmed()  # Alice 2026
            later = self._confirmed(
                recipient_id=self.dave.id,
                plan_id=self.plan_issues.id,
                date_start="2026-06-01",
            )
            loyal._renew()
            loyal._renew()
            sponsored = self._confirmed(
                recipient_id=self.carol.id,
                payer_id=self.sponsor.id,
                origin="sponsored",
                publication_id=self.daily.id,
                plan_id=self.plan_daily.id,
            )
            self.bob.publication_key_account = True
            ref = self.env.ref
            self.assertEqual(loyal.tenure_months, 36)
            self.assertEqual(ending.date_end_month, "2026-12")
            mine = self.env["publication.subscription"].search(
                [("id", "in", (loyal | lost | long_lost | ending | later).ids)]
            )

            def selected(xmlid):
                segment = ref(f"publication_crm.{xmlid}")
                records = segment._records()
                self.assertEqual(segment.record_count, len(records))
                partners = self.alice | self.bob | self.carol | self.dave | self.sponsor
                return records & (partners if records._name == "res.partner" else mine)

            self.assertEqual(selected("segment_ending_next_month"), ending | loyal)
            self.assertEqual(selected("segment_expired_90_days"), lost)
            self.assertEqual(selected("segment_fixed_two_years"), loyal)
            self.assertEqual(selected("segment_sponsors"), self.sponsor)
            self.assertEqual(selected("segment_key_accounts"), self.bob)
            self.assertIn(sponsored, self.sponsor.paid_subscription_ids)
            action = ref(
                "publication_crm.segment_ending_next_month"
            ).action_open_records()
            self.assertEqual(
                self.env[action["res_model"]].search(action["domain"]) & mine,
                ending | loyal,
            )

    def test_ready_made_segments_literal(self):
        """The shipped segments' domains are literals the web client's domain
        editor accepts (no "Invalid domain"), their relative dates still read
        at today."""
        data = etree.parse(
            file_path("publication_crm/data/publication_segment_data.xml")
        )
        domains = {
            record.get("id"): record.findtext("field[@name='domain']")
            for record in data.iterfind("record")
        }
        for xmlid, domain in domains.items():
            with self.subTest(segment=xmlid):
                self.assertIsInstance(ast.literal_eval(domain), list)
        with freeze_time("2026-11-15"):
            ending = self._confirmed()  # Alice, ends 2026-12-31
            self.assertEqual(ending.date_end_month, "2026-12")
            segment = self._segment([])
            segment.domain = domains["segment_ending_next_month"]
            self.assertIn(ending, segment._records())
            self.assertEqual(segment.record_count, len(segment._records()))
        with freeze_time("2026-12-15"):
            segment.invalidate_recordset(["record_count"])
            self.assertNotIn(ending, segment._records())
            self.assertEqual(segment.record_count, len(segment._records()))

    def test_saved_criteria(self):
        """A domain a user saves combines the stored criteria."""
        with freeze_time("2026-03-01"):
            alice = self._confirmed()
            bob = self._confirmed(recipient_id=self.bob.id)
            ticket = self.env["helpdesk.ticket"].create(
                {
                    "name": "Missed copy",
                    "description": "<p>Nothing came</p>",
                    "partner_id": self.bob.id,
                }
            )
            ticket.subscription_id = bob
            alice._pause(date(2026, 7, 1), date(2026, 7, 31))
            both = alice | bob
            segment = self._segment(
                [("zip", "=like", "106%"), ("complaint_count", ">=", 1)]
            )
            self.assertEqual(segment._records() & both, bob)
            segment.domain = repr(
                [("complaint_count", "=", 0), ("pause_count", "=", 1)]
            )
            self.assertEqual(segment._records() & both, alice)
            segment.domain = repr([("revenue", "=", 120.0), ("lang", "=", "en_US")])
            self.assertEqual(segment._records() & both, both)
        with freeze_time("2026-07-01"):
            segment.domain = repr([("complaint_count", ">", 0)])
            self.assertFalse(segment._records() & both, "the complaint is too old")

    def test_mailing_to_segment(self):
        """One mail per address, the blacklisted left out, fields rendered."""
        with freeze_time("2026-11-15"):
            subscriptions = (
                self._confirmed()
                | self._confirmed(recipient_id=self.bob.id)
                | self._confirmed(recipient_id=self.carol.id)
                | self._confirmed(recipient_id=self.dave.id)  # Alice's address
            )
            self.env["mail.blacklist"]._add("carol@example.com")
            segment = self._segment([("id", "in", subscriptions.ids)])
            mailing = self._mailing(segment, publication_mailing_to="recipient_id")
            mailing.action_send_mail()
            traces = self.env["mailing.trace"].search(
                [("mass_mailing_id", "=", mailing.id)]
            )
            self.assertEqual(len(traces), 3, "one per address")
            sent = traces.filtered(lambda t: t.trace_status != "cancel")
            self.assertEqual(
                sorted(sent.mapped("email")), ["alice@example.com", "bob@example.com"]
            )
            self.assertEqual(
                sorted(
                    traces.filtered(lambda t: t.trace_status == "cancel").mapped(
                        "failure_type"
                    )
                ),
                ["mail_bl"],
            )
            mails = sent.mail_mail_id
            self.assertEqual(set(mails.mapped("state")), {"outgoing"})
            bob_mail = sent.filtered(
                lambda t: t.email == "bob@example.com"
            ).mail_mail_id
            self.assertIn("Ends on 2026-12-31", bob_mail.body_html)
            self.assertIn("Annual", bob_mail.body_html)
            self.assertIn(subscriptions[1].get_portal_url(), bob_mail.body_html)

    def test_mailing_to_payer(self):
        with freeze_time("2026-11-15"):
            self.sponsor.email = "bank@example.com"
            gift = self._confirmed(
                recipient_id=self.bob.id, payer_id=self.sponsor.id, origin="sponsored"
            )
            action = self._segment([("id", "=", gift.id)]).action_new_mailing()
            mailing = self.env["mailing.mailing"].browse(action["res_id"])
            self.assertEqual(mailing.publication_mailing_to, "payer_id")
            self.assertEqual(mailing._get_recipients(), gift.ids)
            mailing.body_html = "<p>Your gift ends on <t t-out='object.date_end'/></p>"
            mailing.action_send_mail()
            trace = self.env["mailing.trace"].search(
                [("mass_mailing_id", "=", mailing.id)]
            )
            self.assertEqual(trace.email, "bank@example.com")

    def _gifts_of_jon(self):
        """Jon gives the monthly to Anna and to Bob."""
        Partner = self.env["res.partner"]
        self.jon = Partner.create(
            {"name": "Jon", "email": "jon@example.com", "lang": "en_US"}
        )
        self.anna = Partner.create(
            {"name": "Anna", "email": "anna@example.com", "street": "7 Elm St"}
        )
        return self._confirmed(
            recipient_id=self.anna.id, payer_id=self.jon.id, origin="gift"
        ) | self._confirmed(
            recipient_id=self.bob.id, payer_id=self.jon.id, origin="gift"
        )

    def _sent(self, mailing):
        mailing.action_send_mail()
        return self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])

    def test_mailing_to_gift_readers_or_payer(self):
        """Send To = Reader writes to the readers of gifts, Send To = Payer to
        their payer (once); other mails about a gift go to its payer."""
        with freeze_time("2026-11-15"):
            gifts = self._gifts_of_jon()
            segment = self._segment([("id", "in", gifts.ids)])
            readers = self._sent(
                self._mailing(segment, publication_mailing_to="recipient_id")
            )
            payer = self._sent(
                self._mailing(segment, publication_mailing_to="payer_id")
            )
        self.assertEqual(
            sorted(readers.mapped("email")), ["anna@example.com", "bob@example.com"]
        )
        self.assertEqual(readers.mail_mail_id.recipient_ids, self.anna | self.bob)
        self.assertEqual(payer.mapped("email"), ["jon@example.com"])
        self.assertEqual(payer.mail_mail_id.recipient_ids, self.jon)
        # renewal, payment and confirmation mails: to the payer, in his language
        self.assertEqual(gifts[0]._mail_get_customer(), self.jon)
        self.assertEqual(
            gifts[0]._message_get_default_recipients()[gifts[0].id]["partner_ids"],
            self.jon.ids,
        )

    def test_reached_payer_attributed(self):
        """A mailing to the payers of gifts reached Jon: his own subscription
        answers it, and counts in its results; Anna, not reached, does not."""
        with freeze_time("2026-11-15"):
            gifts = self._gifts_of_jon()
            self._sent(self._mailing(self._segment([("id", "=", gifts[0].id)])))
        with freeze_time("2026-12-01"):
            jon = self._confirmed(recipient_id=self.jon.id, date_start="2026-12-01")
            anna = self._confirmed(
                recipient_id=self.anna.id,
                publication_id=self.daily.id,
                plan_id=self.plan_daily.id,
                date_start="2026-12-01",
            )
        self.assertEqual(jon.campaign_id, self.campaign)
        self.assertFalse(anna.campaign_id, "the mail went to the payer only")
        report = self.env["publication.campaign.report"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertRecordValues(
            report, [{"email_count": 1, "new_count": 1, "revenue": 120.0}]
        )

    def test_letter_reaches_partner(self):
        """A letter reached Jon at his home address (a contact of his): his
        own subscription answers its campaign, not the later letter to the
        readers of gifts, which Anna's answers."""
        readers_campaign = self.env["utm.campaign"].create({"name": "Gift readers"})
        Postal = self.env["publication.postal.mailing"]
        with freeze_time("2026-11-15"):
            gifts = self._gifts_of_jon()
            home = self.env["res.partner"].create(
                {
                    "name": "Jon (home)",
                    "parent_id": self.jon.id,
                    "type": "delivery",
                    "street": "3 Oak St",
                    "zip": "99301",
                }
            )
            Postal.create(
                {
                    "name": "Autumn letter",
                    "segment_id": self._segment(
                        [("zip", "=", "99301")], model="res.partner"
                    ).id,
                    "campaign_id": self.campaign.id,
                }
            ).action_send()
        with freeze_time("2026-11-20"):
            to_readers = Postal.create(
                {
                    "name": "Gift readers' letter",
                    "segment_id": self._segment([("id", "in", gifts.ids)]).id,
                    "campaign_id": readers_campaign.id,
                }
            )
            to_readers.action_send()
        self.assertEqual(to_readers.line_ids.partner_id, self.anna | self.bob)
        with freeze_time("2026-12-01"):
            jon = self._confirmed(recipient_id=self.jon.id, date_start="2026-12-01")
            anna = self._confirmed(
                recipient_id=self.anna.id,
                publication_id=self.daily.id,
                plan_id=self.plan_daily.id,
                date_start="2026-12-01",
            )
        self.assertEqual(jon.campaign_id, self.campaign)
        self.assertEqual(anna.campaign_id, readers_campaign)
        report = self.env["publication.campaign.report"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertRecordValues(
            report, [{"postal_count": 1, "new_count": 1, "revenue": 120.0}]
        )
        self.assertEqual(home.commercial_partner_id, self.jon)

    def test_mailing_form_offers_the_choice(self):
        views = self.env["mailing.mailing"].get_views([(False, "form")])
        self.assertIn('name="publication_mailing_to"', views["views"]["form"]["arch"])

    def test_opt_out_stops_marketing_not_service(self):
        """A blacklisted payer gets no win-back offer, still the reminder."""
        with freeze_time("2026-01-01"):
            alice = self._confirmed()
            bob = self._confirmed(recipient_id=self.bob.id)
        self.env["mail.blacklist"]._add("alice@example.com")
        step = self.env["publication.reminder.step"].search(
            [("publication_id", "=", self.monthly.id), ("kind", "=", "renewal")],
            limit=1,
        )
        with freeze_time("2026-12-01"):
            count = len(alice.message_ids)
            alice._send_renewal_reminder(step)
            self.assertEqual(len(alice.message_ids), count + 1, "service mail sent")
        with freeze_time("2027-01-31"):
            (alice | bob)._expire()
            before = {s: len(s.message_ids) for s in alice | bob}
            (alice | bob)._send_winback_offer()
            self.assertEqual(len(alice.message_ids), before[alice])
            self.assertEqual(len(bob.message_ids), before[bob] + 1)
            self.assertEqual(
                len(self._events(alice | bob, "winback")),
                2,
                "offered once, never again",
            )
        self.assertEqual(alice._blacklisted(), alice)

    def test_postal_mailing_names_readers_without_address(self):
        """Readers without a postal address are left out, and the mailing's
        chatter says how many and who."""
        Partner = self.env["res.partner"]
        erin = Partner.create({"name": "Erin Nowhere"})
        fred = Partner.create({"name": "Fred Nowhere"})
        with freeze_time("2026-11-15"):
            alice_sub = self._confirmed()
            erin_sub = self._confirmed(recipient_id=erin.id)
            mailing = self.env["publication.postal.mailing"].create(
                {
                    "name": "Cards",
                    "segment_id": self._segment(
                        [("id", "in", (alice_sub | erin_sub).ids)]
                    ).id,
                }
            )
            mailing.action_prepare()
            self.assertEqual(mailing.line_ids.subscription_id, alice_sub)
            note = mailing.message_ids[0]
            self.assertIn("1 reader of the segment has no postal", note.body)
            self.assertIn("Erin Nowhere", note.body)
            fred_sub = self._confirmed(recipient_id=fred.id)
            mailing.segment_id.domain = repr(
                [("id", "in", (alice_sub | erin_sub | fred_sub).ids)]
            )
            mailing.action_prepare()
            note = mailing.message_ids[0]
            self.assertIn("2 readers of the segment have no postal", note.body)
            self.assertIn("Erin Nowhere", note.body)
            self.assertIn("Fred Nowhere", note.body)

    def test_postal_mailing(self):
        """Labels and letters as real PDFs and a CSV, the recipients recorded."""
        with freeze_time("2026-11-15"):
            subscriptions = self._confirmed() | self._confirmed(
                recipient_id=self.bob.id
            )
            mailing = self.env["publication.postal.mailing"].create(
                {
                    "name": "Christmas cards",
                    "segment_id": self._segment([("id", "in", subscriptions.ids)]).id,
                    "campaign_id": self.campaign.id,
                    "body": "<p>Merry Christmas</p>",
                }
            )
            mailing.action_prepare()
            mailing.action_send()
        self.assertEqual(mailing.line_ids.subscription_id, subscriptions)
        self.assertEqual(set(mailing.line_ids.mapped("date_sent")), {mailing.date_sent})
        rows = list(csv.reader(io.StringIO(mailing._csv().decode())))
        self.assertEqual(rows[0][0], "name")
        self.assertEqual(
            sorted(row[:4] for row in rows[1:]),
            [["Alice", "1 Main St", "", "10100"], ["Bob", "2 Main St", "", "10600"]],
        )
        self.assertEqual(mailing.action_export_csv()["type"], "ir.actions.act_url")
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for xmlid in (
            "publication_crm.action_report_postal_mailing_labels",
            "publication_crm.action_report_postal_mailing_letters",
        ):
            pdf, kind = Report._render_qweb_pdf(xmlid, mailing.ids)
            self.assertEqual(kind, "pdf")
            self.assertTrue(PdfReader(io.BytesIO(pdf)).pages)
            html = Report._render_qweb_html(xmlid, mailing.ids)[0].decode()
            self.assertIn("Alice", html)
            self.assertIn("Bob", html)
        letters, _kind = Report._render_qweb_pdf(
            "publication_crm.action_report_postal_mailing_letters", mailing.ids
        )
        self.assertEqual(len(PdfReader(io.BytesIO(letters)).pages), 2)

    def test_attribution_and_report(self):
        """A renewal and a new subscription answer the campaign that reached
        them; the report's figures are those counted by hand."""
        with freeze_time("2025-01-01"):
            lost = self._confirmed(recipient_id=self.dave.id, date_start="2025-01-01")
        with freeze_time("2026-01-01"):
            lost._expire()
            alice = self._confirmed()
            bob = self._confirmed(recipient_id=self.bob.id)
            self._pay(self._invoice(alice))
        with freeze_time("2026-11-20"):
            mailing = self._mailing(self._segment([("id", "in", (alice | bob).ids)]))
            mailing.action_send_mail()
            postal = self.env["publication.postal.mailing"].create(
                {
                    "name": "Carol's card",
                    "segment_id": self._segment(
                        [("id", "in", (self.carol | self.dave).ids)],
                        model="res.partner",
                    ).id,
                    "campaign_id": self.campaign.id,
                }
            )
            postal.action_send()
        with freeze_time("2026-12-01"):
            alice.action_renew()
            carol = self._confirmed(recipient_id=self.carol.id, date_start="2026-12-01")
            dave = self._confirmed(recipient_id=self.dave.id, date_start="2026-12-01")
        with freeze_time("2027-02-01"):
            bob.action_renew()  # too late to answer the campaign
        renewal = alice.renewal_event_ids.filtered(lambda e: e.kind == "renewal")
        self.assertEqual(renewal.campaign_id, self.campaign)
        self.assertEqual((carol | dave).campaign_id, self.campaign)
        late = bob.renewal_event_ids.filtered(lambda e: e.kind == "renewal")
        self.assertTrue(late)
        self.assertFalse(late.campaign_id)
        self.assertFalse(bob.campaign_id)
        report = self.env["publication.campaign.report"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertRecordValues(
            report,
            [
                {
                    "email_count": 2,  # Alice, Bob
                    "postal_count": 2,  # Carol, Dave
                    "reached_count": 4,
                    "new_count": 2,  # Carol, Dave
                    "winback_count": 1,  # Dave, lost in 2025
                    "renewal_count": 1,  # Alice (Bob renewed too late)
                    "response_count": 3,
                    "revenue": 360.0,  # 3 annual periods at 120
                    "cost": 300.0,
                    "response_rate": 75.0,
                    "cost_per_response": 100.0,
                }
            ],
        )
        self.assertEqual(self.campaign.publication_subscription_count, 2)
        self.assertEqual(self.campaign.publication_response_count, 3)
        self.assertEqual(self.campaign.publication_revenue, 360.0)
        action = self.campaign.action_view_publication_results()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), report)

    def test_campaign_from_form(self):
        """A clerk's campaign is kept, not replaced by the last one reaching."""
        other = self.env["utm.campaign"].create({"name": "Fair"})
        subscription = self._confirmed(campaign_id=other.id)
        self.assertEqual(subscription.campaign_id, other)

    def test_publication_user_uses_campaigns(self):
        """A Publication User counts segments, prepares a postal mailing and
        reads the results; the forms load for them."""
        self._confirmed()
        segment = self.env.ref("publication_crm.segment_ending_next_month")
        as_user = segment.with_user(self.user)
        self.assertEqual(as_user.record_count, segment.record_count)
        mailing = (
            self.env["publication.postal.mailing"]
            .with_user(self.user)
            .create({"name": "Cards", "segment_id": segment.id})
        )
        mailing.action_prepare()
        self.env["publication.campaign.report"].with_user(self.user).search([])
        for model in (
            "publication.segment",
            "publication.postal.mailing",
            "publication.subscription",
        ):
            views = self.env[model].with_user(self.user).get_views([(False, "form")])
            self.assertIn("form", views["views"])
