import base64
import csv
import io
import json
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.publication_crm.utils.register_rows import COLUMN_NAMES

from .common import CronCommits, HelpdeskCommon

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# the chatter's logging and tracking, which tests disable by default
CHATTER = {"tracking_disable": False, "mail_notrack": False, "mail_create_nolog": False}
# what must not survive the erasure of Alice Liddell
TRACES = ("liddell", "rabbit hole", "0199")


@tagged("post_install", "-at_install")
class TestPrivacyExport(HelpdeskCommon, HttpCase):
    """A logged-in reader downloads their own data from the portal, as JSON
    and CSV: subscriptions paid or received, periods, invoices, tickets,
    addresses and marketing consent with its history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()
        cls.alice.email = "alice@example.com"
        cls.bob.email = "bob@example.com"
        cls.delivery = cls.env["res.partner"].create(
            {
                "name": "@Alice's cottage",
                "parent_id": cls.alice.id,
                "type": "delivery",
                "street": '=HYPERLINK("http://evil.example","click")',
                "city": "-1+2",
                "zip": "10100",
            }
        )

    def setUp(self):
        super().setUp()
        self.own = self._active()
        # Alice pays a gift for Carol, Bob pays a gift for Alice
        self.paid_gift = self._confirmed(
            recipient_id=self.carol.id, payer_id=self.alice.id, origin="gift"
        )
        self.received_gift = self._confirmed(
            recipient_id=self.alice.id,
            payer_id=self.bob.id,
            origin="gift",
            publication_id=self.daily.id,
            plan_id=self.plan_daily.id,
        )
        self.bob_own = self._confirmed(recipient_id=self.bob.id)
        self.ticket = self._ticket(self.alice, description="<p>My copy is wet</p>")
        # with the chatter's logging that tests disable by default
        self.own.with_context(**CHATTER)._unsubscribe()
        self._commit_chatter()
        Blacklist = self.env["mail.blacklist"].with_context(**CHATTER)
        Blacklist._remove("alice@example.com", message="Asked for offers again")
        self._commit_chatter()

    def _commit_chatter(self):
        """The tracking messages a commit would write."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _export(self, user, kind):
        if user:
            self.authenticate(user.login, user.login)
        return self.url_open(f"/my/privacy/export.{kind}", allow_redirects=False)

    def test_owner_gets_their_data_as_json(self):
        response = self._export(self.portal_alice, "json")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        data = response.json()
        subscriptions = {s["reference"]: s for s in data["subscriptions"]}
        self.assertEqual(
            set(subscriptions),
            {self.own.name, self.paid_gift.name, self.received_gift.name},
        )
        own, paid, received = (
            subscriptions[s.name]
            for s in (self.own, self.paid_gift, self.received_gift)
        )
        self.assertTrue(own["as_payer"] and own["as_recipient"])
        self.assertTrue(paid["as_payer"])
        self.assertFalse(paid["as_recipient"])
        self.assertEqual(paid["amount"], 120.0)
        self.assertTrue(received["as_recipient"])
        self.assertFalse(received["as_payer"])
        self.assertNotIn("amount", received, "what Bob pays is Bob's")
        self.assertEqual(
            {p["subscription"] for p in data["periods"]}, set(subscriptions)
        )
        invoices = (self._invoice(self.own) | self._invoice(self.paid_gift)).sorted(
            "id"
        )
        self.assertEqual(
            sorted(i["number"] for i in data["invoices"]),
            sorted(invoices.mapped("name")),
        )
        self.assertEqual([t["number"] for t in data["tickets"]], [self.ticket.number])
        self.assertEqual(data["tickets"][0]["description"], "My copy is wet")
        self.assertEqual(
            {a["name"] for a in data["addresses"]},
            {self.alice.name, "@Alice's cottage"},
        )
        self.assertEqual(
            data["marketing_consent"],
            [{"email": "alice@example.com", "consent": "in"}],
        )
        history = [(h["consent"], h["note"]) for h in data["consent_history"]]
        self.assertIn("out", [consent for consent, _note in history])
        self.assertTrue(
            any(self.own.name in note for consent, note in history if consent == "out"),
            history,
        )
        self.assertEqual(history[-1], ("in", "Asked for offers again"))

    def test_csv_is_the_same_data_neutralised(self):
        response = self._export(self.portal_alice, "csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("text/csv", response.headers["Content-Type"])
        rows = list(csv.reader(io.StringIO(response.text)))
        self.assertEqual(rows[0], ["section", "record", "field", "value"])
        cells = [cell for row in rows for cell in row]
        self.assertFalse([c for c in cells if c.startswith(FORMULA_STARTS)], cells)
        values = {(r[0], r[2], r[3]) for r in rows[1:]}
        self.assertIn(
            ("addresses", "street", '\'=HYPERLINK("http://evil.example","click")'),
            values,
        )
        self.assertIn(("addresses", "name", "'@Alice's cottage"), values)
        self.assertIn(("addresses", "city", "'-1+2"), values)
        self.assertIn(("subscriptions", "reference", self.received_gift.name), values)
        self.assertIn(("tickets", "number", self.ticket.number), values)

    def test_another_reader_does_not_get_the_owners_data(self):
        data = self._export(self.portal_bob, "json").json()
        references = {s["reference"] for s in data["subscriptions"]}
        self.assertEqual(references, {self.bob_own.name, self.received_gift.name})
        self.assertEqual({a["name"] for a in data["addresses"]}, {self.bob.name})
        self.assertFalse(data["tickets"])
        self.assertNotIn(self._invoice(self.own).name, str(data["invoices"]))
        self.assertNotIn("alice@example.com", str(data))
        self.assertNotIn("cottage", str(data))
        csv_text = self._export(self.portal_bob, "csv").text
        self.assertNotIn(self.own.name, csv_text)
        self.assertNotIn("alice@example.com", csv_text)

    def test_anonymous_visitor_is_sent_to_login(self):
        for kind in ("json", "csv"):
            response = self._export(None, kind)
            self.assertIn(response.status_code, (302, 303))
            self.assertIn("/web/login", response.headers["Location"])

    def test_portal_home_links_the_downloads(self):
        self.authenticate(self.portal_alice.login, self.portal_alice.login)
        page = self.url_open("/my").text
        self.assertIn('href="/my/privacy/export.json"', page)
        self.assertIn('href="/my/privacy/export.csv"', page)


def csv_file(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


ALICE = {
    "subscriber": "Alice Liddell",
    "street": "7 Rabbit Hole Lane",
    "zip": "10100",
    "city": "Northtown",
    "email": "alice.liddell@example.com",
    "phone": "+1 555 0199",
}
REGISTER = [
    ALICE
    | {
        "reference": "R-1001",
        "publication": "PM",
        "offer": "Annual",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "paid_until": "2026-12-31",
        "notes": "Ms Liddell: leave it at the back door",
    },
    {
        "reference": "R-1002",
        "subscriber": "Ben Carter",
        "street": "2 Mill Road",
        "zip": "10600",
        "payer_reference": "R-9001",
        "payer": "Alice Liddell",
        "payer_email": "alice.liddell@example.com",
        "publication": "PM",
        "offer": "Annual",
        "start": "2026-03-01",
        "end": "2027-02-28",
        "paid_until": "2026-08-31",  # a warning: the rest is taken as paid
        "origin": "gift",
    },
    ALICE
    | {
        "reference": "R-1003",
        "publication": "VD",
        "offer": "Weekly",
        "start": "2026-01-01",
        "end": "2026-12-31",
    },
]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestPrivacyErasure(HelpdeskCommon):
    """A Publication Manager erases a reader with OCA's anonymisation wizard:
    the add-on's copies of the reader, their tickets' texts and their chatter
    go; invoices, subscriptions and every count stay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_users()
        cls.alice.write(
            {
                "name": "Alice Liddell",
                "email": "alice.liddell@example.com",
                "phone": "+1 555 0199",
                "street": "7 Rabbit Hole Lane",
                "city": "Northtown",
            }
        )

    def setUp(self):
        super().setUp()
        self.register = self._import_register()
        self.imported = self.env["publication.subscription"].search(
            [("import_ref", "in", ("R-1001", "R-1002"))], order="import_ref"
        )
        self.daily_sub = self._active(
            publication_id=self.daily.id,
            plan_id=self.plan_daily.id,
            date_start="2026-06-01",
        )
        self.invoices = self._invoice(self.daily_sub)
        self.ticket = self._ticket(
            self.alice, description="<p>Ms Liddell, 7 Rabbit Hole Lane: no copy</p>"
        )
        self.ticket.message_post(
            body="Rang Ms Liddell back",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.ticket.message_post(
            body="Remedy sent to Ms Liddell", subtype_xmlid="mail.mt_note"
        )
        self.ticket.with_user(self.agent).stage_id = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_done"
        )
        self.ticket.rating_apply(
            4,
            token=self.ticket.rating_ids.access_token,
            feedback="Ms Liddell is happy",
        )
        # a payer changed: the chatter's tracking keeps the name
        draft = self._subscription(recipient_id=self.bob.id, payer_id=self.alice.id)
        draft.with_context(**CHATTER).payer_id = self.bob
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.july = self._issue(self.monthly, date(2026, 7, 1))
        self.july.with_user(self.manager).action_freeze_distribution()
        self.postal = self.env["publication.postal.mailing"].create(
            {
                "name": "Summer letter",
                "segment_id": self.env["publication.segment"]
                .create(
                    {
                        "name": "Imported",
                        "model_name": "publication.subscription",
                        "domain": repr([("id", "in", self.imported.ids)]),
                    }
                )
                .id,
                "body": "<p>Summer</p>",
            }
        )
        self.postal.action_send()
        self.env["mailing.trace"].sudo().create(
            {
                "model": "publication.subscription",
                "res_id": self.imported[0].id,
                "email": "alice.liddell@example.com",
            }
        )

    def _import_register(self):
        record = (
            self.env["publication.register.import"]
            .with_user(self.manager)
            .create(
                {
                    "file": base64.b64encode(csv_file(REGISTER)),
                    "file_name": "register.csv",
                    "valid_only": True,
                }
            )
        )
        commits = CronCommits(self.env)
        with patch.object(
            self.registry["ir.cron"], "_commit_progress", autospec=True
        ) as progress:
            progress.side_effect = commits
            record.action_import()
        commits.done()
        self.assertEqual(
            (record.state, record.created_count, record.error_count),
            ("done", 2, 1),
        )
        return record

    def _figures(self):
        """Every count the erasure must keep."""
        self.env.flush_all()
        self.env["publication.subscription.month"]._refresh()
        self.env["publication.analytics.month"]._refresh()
        self.env.invalidate_all()
        july = self.july
        analytics = self.env["publication.analytics.month"].search_read(
            [], ["month", "publication_id", "active_end", "copies_end", "new_count"]
        )
        return {
            "print run": (july.print_run, july.copies_post, july.copies_carrier),
            "distribution": sorted(
                (d.route_id.id, d.subscription_count, d.copies)
                for d in july.distribution_ids
            ),
            "lines": len(july.distribution_line_ids),
            "analytics": sorted(
                (str(row["month"]), str(row["publication_id"]))
                + tuple(row[f] for f in ("active_end", "copies_end", "new_count"))
                for row in analytics
            ),
            "complaints": self.env["publication.complaint.report"].search_count([]),
            "ratings": (
                self.ticket.rating_score,
                self.ticket.rating_count,
                self.env["rating.rating"].search_count([("rating", ">", 0)]),
            ),
            "postal lines": len(self.postal.line_ids),
            "import": (
                self.register.line_count,
                self.register.created_count,
                self.register.error_count,
            ),
            "subscriptions": self.env["publication.subscription"].search_count([]),
            "invoices": [
                (m.name, m.amount_total, m.amount_residual, m.state)
                for m in self.invoices
            ],
        }

    def _erase(self, user):
        wizard = (
            self.env["partner.anonymize.wizard"]
            .with_user(user)
            .with_context(active_ids=self.alice.ids, active_model="res.partner")
            .create({})
        )
        self.assertEqual(wizard.partner_ids, self.alice)
        wizard.action_confirm()
        self.env.invalidate_all()

    def _assert_no_trace(self, texts, where):
        text = " ".join(str(t) for t in texts).lower()
        for trace in TRACES:
            self.assertNotIn(trace, text, where)

    def test_manager_erases_the_copies_and_keeps_the_counts(self):
        self.assertIn("Liddell", str(self.july.distribution_line_ids.mapped("name")))
        warned = base64.b64decode(self.register.warning_file).decode()
        self.assertIn("alice.liddell@example.com", warned, "Alice pays Ben's gift")
        before = self._figures()
        self._erase(self.manager)
        self.assertEqual(self._figures(), before)
        self.assertTrue(self.invoices.exists())
        self.assertEqual(self.invoices.partner_id, self.alice)
        self.assertTrue(self.alice.name.endswith("Anonymized"))
        lines = self.july.distribution_line_ids.filtered(
            lambda line: line.subscription_id == self.imported[0]
        )
        self.assertEqual(lines.mapped("name"), [self.alice.name])
        self.assertEqual(lines.mapped("zip"), ["10100"], "counts by postal code stay")
        self.assertIn("2 Mill Road", self.july.distribution_line_ids.mapped("street"))
        for records, names in (
            (self.july.distribution_line_ids, ["name", "street", "street2", "city"]),
            (self.postal.line_ids, ["name", "street", "street2", "city"]),
            (self.ticket, ["name", "description", "partner_name", "partner_email"]),
            (self.imported, ["note"]),
            (self.ticket.rating_ids, ["feedback"]),
            (self.register.batch_ids, ["rows", "problems"]),
            (self.register, ["problems", "report", "warnings", "warning_report"]),
        ):
            self._assert_no_trace(
                [r[name] for r in records for name in names], records._name
            )
        for binary in ("file", "rejected_file", "warning_file"):
            content = base64.b64decode(self.register[binary]).decode()
            self._assert_no_trace([content], binary)
        file = base64.b64decode(self.register.file).decode()
        self.assertIn("Ben Carter", file, "the others' lines stay")
        self.assertEqual(self.register.file_name, "register.csv")
        self.assertFalse(
            self.env["mailing.trace"]
            .sudo()
            .search([("email", "=", "alice.liddell@example.com")])
        )
        messages = self.env["mail.message"].search(
            [
                "|",
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "=", self.alice.id),
                "&",
                ("model", "=", "helpdesk.ticket"),
                ("res_id", "=", self.ticket.id),
            ]
        )
        self._assert_no_trace(messages.mapped("body"), "chatter")
        self._assert_no_trace(
            messages.tracking_value_ids.mapped("old_value_char")
            + self.env["mail.tracking.value"]
            .search([("old_value_integer", "=", self.alice.id)])
            .mapped("old_value_char"),
            "tracking",
        )

    def test_publication_user_cannot_erase(self):
        with self.assertRaises(AccessError):
            self._erase(self.user)
        with self.assertRaises(AccessError):
            self.alice.with_user(self.user).anonymize_partner_data()
        self.assertEqual(self.alice.name, "Alice Liddell")
        self.assertTrue(
            self.env.ref("publication_crm.group_publication_manager").implied_ids
            & self.env.ref("privacy_partner_to_be_forgotten.group_partner_anonymize")
        )

    def test_erasure_reaches_seats_calls_and_webhook_bodies(self):
        """The digital access and telesales copies of the reader go too: an
        invitation's address, a seller's notes, the e-mail and login in the
        bodies pushed to the publisher's webhooks (sent or not)."""
        organisation = self._active(recipient_id=self.bob.id)
        organisation.seat_count = 1
        seat = self.env["publication.subscription.seat"].create(
            {
                "subscription_id": organisation.id,
                "email": "alice.liddell@example.com",
                "state": "invited",
            }
        )
        call_list = self.env["publication.call.list"].create(
            {
                "name": "Win-back",
                "segment_id": self.postal.segment_id.id,
                "campaign_id": self.env["utm.campaign"].create({"name": "Calls"}).id,
                "plan_id": self.plan_annual.id,
                "user_ids": [(6, 0, self.manager.ids)],
            }
        )
        call = self.env["publication.call"].create(
            {
                "call_list_id": call_list.id,
                "partner_id": self.alice.id,
                "user_id": self.manager.id,
                "note": "Ms Liddell of Rabbit Hole Lane calls back",
            }
        )
        webhook = self.env["publication.webhook"].create(
            {"name": "Website", "url": "https://example.com/hook"}
        )
        body = json.dumps(
            {
                "id": "1-2-1",
                "reader": {
                    "customer": self.alice.id,
                    "email": "alice.liddell@example.com",
                    "login": "liddell",
                },
            }
        )
        # deliveries are written by the scheduled action's SQL only
        deliveries = (
            self.env["publication.webhook.delivery"]
            .sudo()
            .create(
                [
                    {
                        "webhook_id": webhook.id,
                        "company_id": self.env.company.id,
                        "event_id": f"1-2-{n}",
                        "event": "granted",
                        "reader_id": self.alice.id,
                        "payload": body,
                        "state": state,
                    }
                    for n, state in ((1, "sent"), (2, "pending"))
                ]
            )
        )
        self._erase(self.manager)
        self._assert_no_trace([seat.email, call.note], "seat and call")
        for delivery in deliveries:
            self._assert_no_trace([delivery.payload], delivery.state)
            self.assertIn(f'"customer": {self.alice.id}', delivery.payload)
