from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestGiftWizard(PublicationCommon):
    def _wizard(self, recipients, **vals):
        values = {
            "payer_id": self.sponsor.id,
            "publication_id": self.monthly.id,
            "plan_id": self.plan_annual.id,
            "origin": "sponsored",
            "date_start": "2026-01-01",
            "line_ids": [
                Command.create({"recipient_id": partner.id}) for partner in recipients
            ],
        } | vals
        Wizard = self.env["publication.subscription.gift.wizard"]
        return Wizard.with_user(self.user).create(values)

    def test_sponsored_bulk_one_invoice_many_recipients(self):
        recipients = self.env["res.partner"].create(
            [{"name": f"Resident {n}", "zip": "10200"} for n in range(200)]
        )
        moves_before = self.env["account.move"].sudo().search([])
        action = self._wizard(recipients).action_create()

        subscriptions = self.env["publication.subscription"].search(action["domain"])
        self.assertEqual(len(subscriptions), 200)
        self.assertEqual(
            sorted(subscriptions.mapped("recipient_id.id")),
            sorted(recipients.ids),
            "each subscription has its own recipient",
        )
        for subscription in subscriptions:
            self.assertEqual(
                subscription.delivery_address_id, subscription.recipient_id
            )
        self.assertEqual(set(subscriptions.mapped("payer_id")), {self.sponsor})
        self.assertEqual(set(subscriptions.mapped("origin")), {"sponsored"})
        self.assertEqual(set(subscriptions.mapped("is_gift")), {True})
        self.assertEqual(set(subscriptions.mapped("route_id")), {self.route_north})
        self.assertEqual(set(subscriptions.mapped("state")), {"waiting"})

        new_moves = self.env["account.move"].sudo().search([]) - moves_before
        self.assertEqual(len(new_moves), 1, "exactly one invoice")
        invoice = new_moves
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.sponsor.id,
                    "amount_total": 200 * 120.0,
                }
            ],
        )
        self.assertEqual(len(invoice.invoice_line_ids), 200)
        periods = subscriptions.period_ids.sudo()
        self.assertEqual(len(periods), 200, "one period per subscription")
        self.assertEqual(periods.invoice_id, invoice)
        self.assertEqual(periods.invoice_line_id, invoice.invoice_line_ids)
        for period in periods:
            self.assertIn(
                period.recipient_id.name,
                period.invoice_line_id.name,
                "each line names its recipient",
            )

        # paying the single invoice starts every delivery
        self._pay(invoice)
        self.assertEqual(set(subscriptions.mapped("state")), {"active"})

    def test_cancelling_some_sponsored_copies_credits_the_payer_once(self):
        recipients = self.env["res.partner"].create(
            [{"name": f"Pupil {n}", "zip": "10600"} for n in range(3)]
        )
        action = self._wizard(recipients).action_create()
        subscriptions = self.env["publication.subscription"].search(action["domain"])
        invoice = self._invoice(subscriptions)
        subscriptions[:2].with_user(self.user)._cancel(
            date(2025, 12, 31), self.reason_moved
        )
        refund = self._refund(subscriptions)
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "partner_id": self.sponsor.id,
                    "reversed_entry_id": invoice.id,
                    "amount_total": 2 * 120.0,
                }
            ],
        )
        self.assertEqual(len(refund.invoice_line_ids), 2)
        self.assertEqual(subscriptions[2].state, "waiting")

    def test_quick_add_recipients_in_the_form(self):
        form = Form(
            self.env["publication.subscription.gift.wizard"].with_user(self.user)
        )
        form.payer_id = self.alice
        form.origin = "gift"
        form.publication_id = self.monthly
        form.plan_id = self.plan_annual
        form.recipient_ids.add(self.bob)
        form.recipient_ids.add(self.carol)
        self.assertEqual(len(form.line_ids), 2)
        with form.line_ids.edit(1) as line:
            self.assertEqual(line.recipient_id, self.carol)
            line.quantity = 2
        wizard = form.save()
        action = wizard.action_create()
        subscriptions = self.env["publication.subscription"].search(action["domain"])
        self.assertEqual(subscriptions.recipient_id, self.bob | self.carol)
        invoice = self._invoice(subscriptions)
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.partner_id, self.alice)
        self.assertEqual(invoice.amount_total, 3 * 120.0)

    def test_changing_publication_clears_its_offer(self):
        form = Form(
            self.env["publication.subscription.gift.wizard"].with_user(self.user)
        )
        form.publication_id = self.monthly
        form.plan_id = self.plan_annual
        form.publication_id = self.daily
        self.assertFalse(form.plan_id)

    def test_refused_without_recipients(self):
        wizard = self._wizard(self.env["res.partner"])
        with self.assertRefused(UserError, "Add at least one recipient"):
            wizard.action_create()

    def test_same_recipient_twice_creates_nothing(self):
        wizard = self._wizard(self.bob | self.carol)
        wizard.line_ids = [Command.create({"recipient_id": self.bob.id})]
        with self.assertRefused(ValidationError, "Recipient Bob already has"):
            wizard.action_create()

    def test_gift_entered_by_hand_gets_origin_gift(self):
        """A clerk (Publications / User only) entering a copy paid by someone
        else enters a gift: origin Gift, as the form's ribbon says, and back
        to New when the reader pays again."""
        self.assertEqual(
            self.user.group_ids, self.env.ref("publication_crm.group_publication_user")
        )
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = self.bob
        form.publication_id = self.monthly
        form.plan_id = self.plan_annual
        self.assertEqual((form.origin, form.payer_id), ("new", self.bob))
        form.payer_id = self.alice
        self.assertEqual((form.is_gift, form.origin), (True, "gift"))
        form.payer_id = self.bob
        self.assertEqual((form.is_gift, form.origin), (False, "new"))
        form.payer_id = self.alice
        form.recipient_id = self.carol
        self.assertEqual(form.payer_id, self.alice, "a gift's payer stays")
        self.assertEqual(form.origin, "gift")
        gift = form.save()
        self.assertRecordValues(
            gift, [{"origin": "gift", "is_gift": True, "payer_id": self.alice.id}]
        )
        # a confirmed subscription keeps its origin
        gift.action_confirm()
        with Form(gift.with_user(self.user)) as confirmed:
            confirmed.payer_id = self.carol
        self.assertEqual(gift.origin, "gift")

    def test_copy_paid_by_the_readers_company_is_not_a_gift(self):
        employee = self.env["res.partner"].create(
            {"name": "Erin", "parent_id": self.sponsor.id, "zip": "10600"}
        )
        form = Form(self.env["publication.subscription"].with_user(self.user))
        form.recipient_id = employee
        form.publication_id = self.monthly
        form.plan_id = self.plan_annual
        form.payer_id = self.sponsor
        self.assertEqual((form.is_gift, form.origin), (False, "new"))
        self.assertEqual(form.save().origin, "new")

    def test_created_with_another_payer_is_a_gift(self):
        """The create path (import, RPC) agrees with the form."""
        gifts = self._subscription(recipient_id=self.bob.id, payer_id=self.alice.id)
        gifts |= self._subscription(
            recipient_id=self.carol.id, payer_id=self.alice.id, origin="new"
        )
        self.assertEqual(gifts.mapped("origin"), ["gift", "gift"])
        sponsored = self._subscription(
            recipient_id=self.bob.id, payer_id=self.sponsor.id, origin="sponsored"
        )
        own = self._subscription(recipient_id=self.bob.id, payer_id=self.bob.id)
        self.assertEqual((sponsored.origin, own.origin), ("sponsored", "new"))
