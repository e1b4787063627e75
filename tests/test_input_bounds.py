"""Copies and dates out of bounds, as a Publication User sends them over RPC
(create() and write()): a ValidationError naming the field and the value
instead of a traceback of the database or of a date computation, and
nothing written."""

from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PublicationCommon

BOUNDS = "must be between 01/01/1900 and 12/31/2199"


def _shown(value):
    """value (ISO) as an error shows it to a user in English (US)."""
    day = fields.Date.to_date(value)
    return f"{day.month:02}/{day.day:02}/{day.year:04}"


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestInputBounds(PublicationCommon):
    def test_copies_beyond_the_bound(self):
        """2^31 was PostgreSQL's "integer out of range"."""
        for copies in (2**31, 10_001):
            with self.assertRefused(
                ValidationError,
                "Copies of subscription SUB/2026/",
                f"at most 10000, not {copies}",
            ):
                self._subscription(quantity=copies)
        draft = self._subscription()
        confirmed = self._confirmed(recipient_id=self.bob.id)
        for subscription in (draft, confirmed):
            with self.assertRefused(
                ValidationError,
                f"Copies of subscription {subscription.name} must be at most 10000, "
                f"not {2**31}",
            ):
                subscription.with_user(self.user).write({"quantity": 2**31})
            self.assertEqual(subscription.quantity, 1)
        self.assertEqual(self._subscription(quantity=10_000).quantity, 10_000)

    def test_start_outside_a_registers_lifetime(self):
        """A start in 9999 failed on "year 10000 is out of range" when the end
        was computed; a start in year 1 was accepted and invoiced."""
        for start in ("9999-01-01", "0001-01-01", "1899-12-31"):
            with self.assertRefused(
                ValidationError, "Start of subscription", f"({_shown(start)}) {BOUNDS}"
            ):
                self._subscription(date_start=start)
        subscription = self._subscription()
        for field, label, value in (
            ("date_start", "Start", "9999-01-01"),
            ("date_end", "End", "9999-12-31"),
            ("date_start", "Start", "0001-01-01"),
        ):
            with self.assertRefused(
                ValidationError,
                f"{label} of subscription {subscription.name} ({_shown(value)}) "
                f"{BOUNDS}",
            ):
                subscription.with_user(self.user).write({field: value})
        self.assertEqual(
            (subscription.date_start, subscription.date_end),
            (date(2026, 1, 1), date(2026, 12, 31)),
        )
        with self.assertRefused(
            ValidationError, "End of subscription", f"(12/30/2200) {BOUNDS}"
        ):
            self._subscription(date_start="2199-12-31")

    def test_pause_outside_a_registers_lifetime(self):
        """A pause until 9999 failed on "date value out of range" when the new
        end was computed."""
        subscription = self._confirmed()
        action = subscription.with_user(self.user).action_open_pause_wizard()
        Wizard = self.env[action["res_model"]].with_user(self.user)
        for date_from, date_to, label, value in (
            ("2026-03-01", "9999-12-31", "To", "9999-12-31"),
            ("0001-01-01", "2026-03-31", "From", "0001-01-01"),
        ):
            wizard = Wizard.with_context(**action["context"]).create(
                {"date_from": date_from, "date_to": date_to}
            )
            with self.assertRefused(
                ValidationError, f"{label} of pause ({_shown(value)}) {BOUNDS}"
            ):
                wizard.action_pause()
        self.assertEqual(subscription.date_end, date(2026, 12, 31))
        with self.assertRefused(ValidationError, f"To of pause (12/31/9999) {BOUNDS}"):
            self.env["publication.subscription.pause"].create(
                {
                    "subscription_id": subscription.id,
                    "date_from": "2026-03-01",
                    "date_to": "9999-12-31",
                }
            )

    def test_period_outside_a_registers_lifetime(self):
        period = self._confirmed().period_ids
        with self.assertRefused(
            ValidationError, f"End of a period of {period.subscription_id.name}"
        ):
            period.with_user(self.manager).date_end = date(9999, 12, 31)
        self.assertEqual(period.date_end, date(2026, 12, 31))

    def test_gift_wizard_copies_and_start(self):
        Wizard = self.env["publication.subscription.gift.wizard"].with_user(self.user)
        values = {
            "payer_id": self.sponsor.id,
            "publication_id": self.monthly.id,
            "plan_id": self.plan_annual.id,
            "origin": "sponsored",
            "date_start": "2026-01-01",
        }
        with self.assertRefused(
            ValidationError, f"Copies must be at most 10000, not {2**31}"
        ):
            Wizard.create(
                values
                | {
                    "line_ids": [
                        Command.create({"recipient_id": self.bob.id, "quantity": 2**31})
                    ]
                }
            )
        wizard = Wizard.create(
            values
            | {
                "date_start": "9999-01-01",
                "line_ids": [Command.create({"recipient_id": self.bob.id})],
            }
        )
        with self.assertRefused(ValidationError, f"Start (01/01/9999) {BOUNDS}"):
            wizard.action_create()
        with self.assertRefused(
            ValidationError, f"Copies must be at most 10000, not {2**31}"
        ):
            wizard.line_ids.quantity = 2**31

    def test_term_of_an_offer(self):
        """A term of 100,000 months overflowed the end of any subscription."""
        with self.assertRefused(
            ValidationError,
            "Term of offer Forever must be at most 1000 months or issues",
        ):
            self.env["publication.subscription.plan"].with_user(self.manager).create(
                {
                    "name": "Forever",
                    "publication_id": self.monthly.id,
                    "term_length": 100_000,
                }
            )
