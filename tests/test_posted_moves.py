from itertools import product

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import PublicationCommon

FIELDS = ("price_subtotal", "price_total", "amount_currency", "balance")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02")
class TestPostedMoves(PublicationCommon):
    """The add-on's invoices and credit notes, posted in batches, are the
    documents Odoo makes of the same values, numbered without gaps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.tax_excluded = Tax.create({"name": "VAT 10 %", "amount": 10.0})
        cls.tax_included = Tax.create(
            {
                "name": "VAT 25.5 % included",
                "amount": 25.5,
                "price_include_override": "tax_included",
            }
        )

    def _vals(self, move_type, taxed=True):
        """An invoice or credit note with two untaxed lines, and with taxed
        two more: one with its tax on top of its price, one with its tax
        included."""
        lines = [
            {"price_unit": 30.0},
            {"price_unit": 33.3333, "quantity": 3, "discount": 12.5},
        ]
        if taxed:
            lines += [
                {"price_unit": 49.9, "tax_ids": [Command.set(self.tax_excluded.ids)]},
                {
                    "price_unit": 19.99,
                    "quantity": 7,
                    "discount": 5,
                    "tax_ids": [Command.set(self.tax_included.ids)],
                },
            ]
        return {
            "move_type": move_type,
            "partner_id": self.alice.id,
            "invoice_line_ids": [
                Command.create(
                    {"product_id": self.product.id, "name": f"Line {i}", **line}
                )
                for i, line in enumerate(lines)
            ],
        }

    def _amounts(self, move):
        return (
            [tuple(line[f] for f in FIELDS) for line in move.invoice_line_ids],
            move.amount_untaxed,
            move.amount_tax,
            move.amount_total,
            sorted(move.line_ids.mapped("balance")),
        )

    def test_amounts_are_those_odoo_computes(self):
        Move = self.env["account.move"]
        for move_type, taxed in product(("out_invoice", "out_refund"), (False, True)):
            with self.subTest(move_type=move_type, taxed=taxed):
                ours = Move._create_posted_publication_moves(
                    self.env.company, [self._vals(move_type, taxed)]
                )
                odoo = Move.create(
                    dict(self._vals(move_type, taxed), invoice_date="2026-03-02")
                )
                odoo.action_post()
                self.assertEqual(ours.state, "posted")
                self.assertEqual(self._amounts(ours), self._amounts(odoo))

    def test_batches_are_numbered_without_gaps(self):
        Move = self.env["account.move"]
        first = Move._create_posted_publication_moves(
            self.env.company, [self._vals("out_invoice") for _i in range(3)]
        )
        by_hand = Move.create(
            dict(self._vals("out_invoice"), invoice_date="2026-03-02")
        )
        by_hand.action_post()
        second = Move._create_posted_publication_moves(
            self.env.company, [self._vals("out_invoice") for _i in range(2)]
        )
        moves = first | by_hand | second
        numbers = moves.mapped("sequence_number")
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 6)))
        self.assertEqual(len(set(moves.mapped("sequence_prefix"))), 1)
