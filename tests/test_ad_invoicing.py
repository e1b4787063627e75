from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)

from .common import AdvertisingCommon


@tagged("post_install", "-at_install")
class TestAdInvoicing(AdvertisingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-01-01"):
            cls.contract_bakery = cls._contract(cls)
            cls.contract_garage = cls._contract(cls, partner_id=cls.garage.id)
            cls.contract_agency = cls._contract(
                cls,
                partner_id=cls.garage.id,
                agency_id=cls.agency.id,
                commission=15.0,
            )

    def test_published_issue_invoiced_once_per_advertiser(self):
        self._no_cron_commit()
        Booking = self.env["publication.ad.booking"]
        with freeze_time("2026-01-01"):
            feb_bakery = self._book_months(self.contract_bakery, [2, 2, 3])
            feb_garage = self._book(
                self.contract_garage,
                date(2026, 2, 1),
                ad_format="full",
                position="back_cover",
            )
        with freeze_time("2026-01-31"):
            Booking._cron_invoice_ads()
            self.assertFalse(self._ad_moves(), "nothing published yet")
        with freeze_time("2026-02-01"):
            Booking._cron_invoice_ads()
        moves = self._ad_moves()
        self.assertEqual(len(moves), 2, "one invoice per advertiser")
        bakery_move = moves.filtered(lambda m: m.partner_id == self.bakery)
        self.assertEqual(bakery_move.state, "posted")
        self.assertEqual(bakery_move.amount_untaxed, 1000.0)
        self.assertEqual(len(bakery_move.invoice_line_ids), 2)
        self.assertEqual(feb_garage.invoice_id.amount_untaxed, 1000.0)
        self.assertEqual(feb_bakery[:2].mapped("state"), ["invoiced"] * 2)
        self.assertEqual(feb_bakery[2].state, "booked", "March not yet published")
        self.assertEqual(self.contract_bakery.invoiced_count, 2)
        self.assertEqual(self.contract_bakery.invoiced_amount, 1000.0)
        # a rerun, the button and a cancellation change nothing
        with freeze_time("2026-02-02"):
            Booking._cron_invoice_ads()
            self._issue(self.monthly, date(2026, 2, 1)).action_invoice_ads()
        self.assertEqual(self._ad_moves(), moves)

    def test_button_refuses_an_unpublished_issue(self):
        with freeze_time("2026-01-01"):
            booking = self._book(self.contract_bakery, date(2026, 3, 1))
        march = self._issue(self.monthly, date(2026, 3, 1))
        with freeze_time("2026-02-15"), self.assertRefused(UserError, "03/01/2026"):
            march.with_user(self.user).action_invoice_ads()
        with freeze_time("2026-03-01"):
            march.with_user(self.user).action_invoice_ads()
        self.assertEqual(booking.state, "invoiced")
        self.assertEqual(booking.sudo().invoice_id.partner_id, self.bakery)

    def test_agency_invoiced_less_its_commission(self):
        with freeze_time("2026-01-01"):
            self._book(self.contract_agency, date(2026, 2, 1))
            self._book(
                self.contract_agency,
                date(2026, 2, 1),
                ad_format="full",
                position="back_cover",
            )
        with freeze_time("2026-02-01"):
            self._issue(self.monthly, date(2026, 2, 1)).action_invoice_ads()
        move = self._ad_moves()
        self.assertEqual(move.partner_id, self.agency)
        commission = move.invoice_line_ids.filtered(lambda line: line.price_unit < 0)
        self.assertEqual(commission.price_subtotal, -225.0)
        self.assertIn("15.0 %", commission.name)
        self.assertEqual(move.amount_untaxed, 1275.0)
        self.assertEqual(
            len(move.invoice_line_ids), 3, "two insertions and the commission"
        )

    def test_failing_advertiser_does_not_block_the_others(self):
        self._no_cron_commit()
        with freeze_time("2026-01-01"):
            bakery = self._book(self.contract_bakery, date(2026, 2, 1))
            garage = self._book(self.contract_garage, date(2026, 2, 1))
        # preparing the garage's invoice fails
        self.patch(
            type(self.env["publication.ad.booking"]),
            "_prepare_invoice_line",
            _failing_for(self.garage),
        )
        with (
            freeze_time("2026-02-01"),
            self.assertLogs(publication_automation.__name__, "WARNING"),
        ):
            self.env["publication.ad.booking"]._cron_invoice_ads()
        self.assertEqual(bakery.state, "invoiced")
        self.assertEqual(garage.state, "published", "left for the next run")
        self.assertIn("No account for Garage", garage.automation_error)
        self.assertIn("failed", garage.message_ids[0].body)

    def _retroactive_case(self, retroactive):
        """Five insertions booked, the first invoiced, then the sixth booked."""
        with freeze_time("2026-01-01"):
            contract = self._contract(retroactive_credit=retroactive)
            first_five = self._book_months(contract, range(2, 7))
        with freeze_time("2026-02-01"):
            self._issue(self.monthly, date(2026, 2, 1)).action_invoice_ads()
            sixth = self._book(contract, date(2026, 7, 1))
        return first_five, sixth

    def test_retroactive_credit(self):
        first_five, sixth = self._retroactive_case(True)
        self.assertEqual(sixth.price, 450.0)
        self.assertEqual(first_five[1:].mapped("price"), [450.0] * 4, "repriced")
        invoiced = first_five[0]
        self.assertEqual(invoiced.price, 500.0, "as invoiced")
        self.assertEqual(invoiced.credited_discount, 10.0)
        refund = invoiced.sudo().credit_note_ids
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.partner_id, self.bakery)
        self.assertEqual(refund.amount_untaxed, 50.0)
        # credited once
        with freeze_time("2026-02-01"):
            invoiced.contract_id._apply_retroactive_tiers()
        self.assertEqual(self._ad_moves(move_type="out_refund"), refund)

    def test_retroactive_credit_to_agency_net_of_commission_twice(self):
        with freeze_time("2026-01-01"):
            contract = self._contract(
                agency_id=self.agency.id, commission=15.0, retroactive_credit=True
            )
            first_five = self._book_months(contract, range(2, 7))
        with freeze_time("2026-02-01"):
            self._issue(self.monthly, date(2026, 2, 1)).action_invoice_ads()
            invoiced = first_five[0]
            self.assertEqual(invoiced.sudo().invoice_id.amount_untaxed, 425.0)
            self._book(contract, date(2026, 7, 1))  # the 6th: 10 %
            first = invoiced.sudo().credit_note_ids
            self.assertEqual(first.partner_id, self.agency)
            # 10 % of 500, less the agency's 15 %
            self.assertEqual(first.amount_untaxed, 42.5)
            self.assertIn("agency commission 15.0 %", first.invoice_line_ids.name)
            self._book_months(contract, range(7, 13))  # the 12th: 20 %
        credits = invoiced.sudo().credit_note_ids
        self.assertEqual(len(credits), 2, "the second credit keeps the first")
        self.assertIn(first, credits)
        self.assertEqual((credits - first).amount_untaxed, 42.5)
        self.assertEqual(invoiced.credited_discount, 20.0)
        self.assertEqual(self._ad_moves(move_type="out_refund"), credits)

    def test_no_retroactive_credit(self):
        first_five, sixth = self._retroactive_case(False)
        self.assertEqual(sixth.price, 450.0, "later bookings get the new price")
        self.assertEqual(first_five.mapped("price"), [500.0] * 5)
        self.assertFalse(first_five.sudo().credit_note_ids)
        self.assertFalse(self._ad_moves(move_type="out_refund"))


def _failing_for(partner):
    original = type(partner.env["publication.ad.booking"])._prepare_invoice_line

    def prepare(booking):
        if booking.partner_id == partner:
            raise UserError(booking.env._("No account for %s", partner.name))
        return original(booking)

    return prepare


@tagged("post_install", "-at_install")
class TestAdInvoicingBatches(AdvertisingCommon):
    def test_cron_catches_up_issue_by_issue(self):
        """A late run invoices every published issue, one batch at a time."""
        self._no_cron_commit()
        progress = []
        self.patch(
            type(self.env["ir.cron"]),
            "_commit_progress",
            lambda cron, processed=0, **kw: progress.append(processed) or 3600.0,
        )
        with freeze_time("2026-01-01"):
            contract = self._contract(commitment="budget", committed_amount=2000.0)
            bookings = self._book_months(contract, [2, 3, 4, 5])
        with freeze_time("2026-04-15"):
            self.env["publication.ad.booking"]._cron_invoice_ads(batch_size=1)
        # marked published, then invoiced, one issue per batch
        self.assertEqual(progress, [0, 1, 1, 1, 1, 1, 1])
        self.assertEqual(bookings.mapped("state"), ["invoiced"] * 3 + ["booked"])
        self.assertEqual(len(bookings.sudo().invoice_id), 3)
        self.assertEqual(contract.booked_progress, 100.0)
        self.assertEqual(contract.invoiced_progress, 75.0)

    def test_cancelled_contract_cancels_its_bookings(self):
        with freeze_time("2026-01-01"):
            contract = self._contract()
            bookings = self._book_months(contract, [2, 3])
            contract.with_user(self.user).action_cancel()
        self.assertEqual(contract.state, "cancelled")
        self.assertEqual(bookings.mapped("state"), ["cancelled"] * 2)
        with freeze_time("2026-03-01"):
            self._issue(self.monthly, date(2026, 3, 1)).action_invoice_ads()
        self.assertFalse(bookings.sudo().invoice_id)
