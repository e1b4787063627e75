"""Print + digital offers invoiced on one line or one line per part (each with
its product and taxes), and the digital add-on of print offers."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import PublicationCommon


class BundleCommon(PublicationCommon):
    """Print taxed 14 %, digital 24 % (as Finnish digital periodicals were),
    on products of their own; a print + digital offer and a print offer with
    a digital add-on, both of the monthly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.tax_print = Tax.create(
            {"name": "VAT 14 % (print)", "amount": 14.0, "type_tax_use": "sale"}
        )
        cls.tax_digital = Tax.create(
            {"name": "VAT 24 % (digital)", "amount": 24.0, "type_tax_use": "sale"}
        )
        Product = cls.env["product.product"]
        cls.product_print = Product.create(
            {
                "name": "Print subscription",
                "type": "service",
                "taxes_id": [Command.set(cls.tax_print.ids)],
            }
        )
        cls.product_digital = Product.create(
            {
                "name": "Digital subscription",
                "type": "service",
                "taxes_id": [Command.set(cls.tax_digital.ids)],
            }
        )
        Plan = cls.env["publication.subscription.plan"]
        cls.plan_bundle = Plan.create(
            {
                "name": "Print + e-paper",
                "publication_id": cls.monthly.id,
                "term_length": 12,
                "price": 120.0,
                "channel": "bundle",
                "product_id": cls.product_print.id,
                "print_product_id": cls.product_print.id,
                "digital_product_id": cls.product_digital.id,
                "print_share": 40.0,
            }
        )
        cls.plan_addon = Plan.create(
            {
                "name": "Print, e-paper on request",
                "publication_id": cls.monthly.id,
                "term_length": 12,
                "price": 120.0,
                "product_id": cls.product_print.id,
                "digital_product_id": cls.product_digital.id,
                "digital_addon_price": 30.0,
            }
        )
        cls.monthly.payment_grace_days = 30

    def _lines(self, move):
        return move.invoice_line_ids.sorted("id")


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestBundleInvoices(BundleCommon):
    def test_one_line_with_the_offers_product(self):
        subscription = self._confirmed(plan_id=self.plan_bundle.id, quantity=2)
        invoice = self._invoice(subscription)
        self.assertRecordValues(
            self._lines(invoice),
            [
                {
                    "product_id": self.product_print.id,
                    "quantity": 2.0,
                    "price_unit": 120.0,
                    "price_subtotal": 240.0,
                    "tax_ids": self.tax_print.ids,
                }
            ],
        )
        self.assertEqual(invoice.amount_tax, 33.6)

    def test_one_line_per_part_with_its_taxes(self):
        self.plan_bundle.bundle_invoicing = "parts"
        subscription = self._confirmed(plan_id=self.plan_bundle.id, quantity=2)
        invoice = self._invoice(subscription)
        self.assertRecordValues(
            self._lines(invoice),
            [
                {
                    "product_id": self.product_print.id,
                    "quantity": 2.0,
                    "price_unit": 48.0,
                    "price_subtotal": 96.0,
                    "tax_ids": self.tax_print.ids,
                },
                {
                    "product_id": self.product_digital.id,
                    "quantity": 2.0,
                    "price_unit": 72.0,
                    "price_subtotal": 144.0,
                    "tax_ids": self.tax_digital.ids,
                },
            ],
        )
        self.assertIn(", print", self._lines(invoice)[0].name)
        self.assertIn(", digital", self._lines(invoice)[1].name)
        period = subscription.period_ids
        self.assertEqual(invoice.amount_untaxed, subscription.amount)
        self.assertEqual(invoice.amount_untaxed, period.amount)
        self.assertEqual(invoice.amount_tax, 13.44 + 34.56)
        self.assertEqual(period.invoice_line_id, self._lines(invoice)[0])

    def test_parts_shared_by_amount_and_the_renewal_splits_too(self):
        self.plan_bundle.write(
            {
                "bundle_invoicing": "parts",
                "bundle_share_type": "amount",
                "print_share": 50.0,
                "renewal_type": "continuous",
            }
        )
        self.assertEqual(self.plan_bundle.digital_share, 70.0)
        subscription = self._confirmed(plan_id=self.plan_bundle.id)
        with freeze_time("2026-12-31"):
            renewed = subscription._renew()
        self.assertRecordValues(
            self._lines(renewed.invoice_id),
            [
                {"price_subtotal": 50.0, "tax_ids": self.tax_print.ids},
                {"price_subtotal": 70.0, "tax_ids": self.tax_digital.ids},
            ],
        )
        self.assertEqual(renewed.amount, 120.0)

    def test_credit_note_credits_each_part_in_proportion(self):
        self.plan_bundle.bundle_invoicing = "parts"
        subscription = self._confirmed(plan_id=self.plan_bundle.id)
        invoice = self._invoice(subscription)
        with freeze_time("2026-03-31"):
            subscription._cancel(date(2026, 3, 31), self.reason_moved)
        refund = self._refund(subscription)
        self.assertEqual(refund.reversed_entry_id, invoice)
        # 275 of 365 days not delivered, of each part with its taxes
        self.assertRecordValues(
            self._lines(refund),
            [
                {
                    "product_id": self.product_print.id,
                    "price_subtotal": 36.16,
                    "tax_ids": self.tax_print.ids,
                },
                {
                    "product_id": self.product_digital.id,
                    "price_subtotal": 54.25,
                    "tax_ids": self.tax_digital.ids,
                },
            ],
        )
        # invoiced less credited is what each part delivered (90 of 365 days)
        for invoiced, credited, part in zip(
            self._lines(invoice), self._lines(refund), (48.0, 72.0), strict=True
        ):
            self.assertAlmostEqual(
                invoiced.price_subtotal - credited.price_subtotal,
                round(part * 90 / 365, 2),
            )
        self.assertEqual(subscription.period_ids.refund_amount, 90.41)
        self.assertEqual(refund.amount_tax, 5.06 + 13.02)

    def test_more_copies_are_invoiced_part_by_part(self):
        self.plan_bundle.bundle_invoicing = "parts"
        subscription = self._confirmed(plan_id=self.plan_bundle.id)
        invoice = self._invoice(subscription)
        with freeze_time("2026-03-31"):
            subscription.with_user(self.user).quantity = 2
        extra = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    (
                        "line_ids.publication_period_id",
                        "in",
                        subscription.period_ids.ids,
                    ),
                    ("id", "!=", invoice.id),
                ]
            )
        )
        self.assertRecordValues(
            self._lines(extra),
            [
                {"price_subtotal": 36.16, "tax_ids": self.tax_print.ids},
                {"price_subtotal": 54.25, "tax_ids": self.tax_digital.ids},
            ],
        )
        self.assertEqual(subscription.period_ids.amount, 120.0 + 90.41)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestDigitalAddon(BundleCommon):
    def test_surcharge_on_its_own_line_and_in_the_renewal(self):
        self.plan_addon.renewal_type = "continuous"
        subscription = self._confirmed(plan_id=self.plan_addon.id, digital_addon=True)
        self.assertEqual(
            (subscription.digital_addon_price, subscription.amount), (30.0, 150.0)
        )
        invoice = self._invoice(subscription)
        self.assertRecordValues(
            self._lines(invoice),
            [
                {
                    "product_id": self.product_print.id,
                    "price_subtotal": 120.0,
                    "tax_ids": self.tax_print.ids,
                },
                {
                    "product_id": self.product_digital.id,
                    "price_subtotal": 30.0,
                    "tax_ids": self.tax_digital.ids,
                },
            ],
        )
        self.assertIn("digital add-on", self._lines(invoice)[1].name)
        # the offer's later surcharge does not reach the subscription unannounced
        self.plan_addon.digital_addon_price = 40.0
        with freeze_time("2026-12-31"):
            renewed = subscription._renew()
        self.assertEqual(renewed.amount, 150.0)
        self.assertEqual(renewed.invoice_id.amount_untaxed, 150.0)
        with freeze_time("2027-03-31"):
            subscription._cancel(date(2027, 3, 31), self.reason_moved)
        self.assertEqual(
            self._lines(renewed.refund_id).mapped("price_subtotal"), [90.41, 22.6]
        )

    def test_a_save_offer_without_addon_ends_it_at_the_renewal(self):
        self.monthly.retention_plan_id = self.plan_monthly_digital
        subscription = self._confirmed(plan_id=self.plan_addon.id, digital_addon=True)
        subscription._retention("plan", self.reason_moved, "portal")
        self.assertEqual(subscription._next_term_amount(), 50.0)
        with freeze_time("2026-12-01"):
            period = subscription._renew()
        self.assertRecordValues(
            self._lines(period.invoice_id),
            [{"product_id": self.product.id, "price_subtotal": 50.0}],
        )
        self.assertIn(
            self.plan_monthly_digital.name,
            period.invoice_id.invoice_line_ids.name,
            "the line names the offer it invoices",
        )
        self.assertRecordValues(
            subscription,
            [
                {
                    "plan_id": self.plan_monthly_digital.id,
                    "digital_addon_price": 0.0,
                    "amount": 50.0,
                }
            ],
        )

    def test_form_shows_the_surcharge(self):
        with Form(self.env["publication.subscription"].with_user(self.user)) as form:
            form.recipient_id = self.alice
            form.publication_id = self.monthly
            form.plan_id = self.plan_addon
            form.quantity = 2
            self.assertEqual(form.amount, 240.0)
            form.digital_addon = True
            self.assertEqual((form.digital_addon_price, form.amount), (30.0, 300.0))

    def test_without_addon_one_line(self):
        subscription = self._confirmed(plan_id=self.plan_addon.id)
        self.assertEqual(subscription.amount, 120.0)
        self.assertEqual(len(self._invoice(subscription).invoice_line_ids), 1)

    def test_addon_is_fixed_once_confirmed(self):
        subscription = self._confirmed(plan_id=self.plan_addon.id)
        with self.assertRaises(UserError) as caught:
            subscription.with_user(self.user).digital_addon = True
        self.assertIn("Digital Add-on", str(caught.exception))


@tagged("post_install", "-at_install")
class TestAddonEntitlement(BundleCommon):
    def test_addon_gives_digital_reading_too(self):
        start = self.env.company._publication_today() - timedelta(days=40)
        with_addon = self._confirmed(
            plan_id=self.plan_addon.id, digital_addon=True, date_start=start
        )
        print_only = self._confirmed(
            recipient_id=self.bob.id, plan_id=self.plan_addon.id, date_start=start
        )
        Entitlement = self.env["publication.entitlement"]
        Entitlement.invalidate_model()
        entitlements = Entitlement.search(
            [("subscription_id", "in", (with_addon | print_only).ids)],
            order="reader_id",
        )
        self.assertRecordValues(
            entitlements,
            [
                {
                    "subscription_id": with_addon.id,
                    "edition": "both",
                    "access_edition": "both",
                },
                {
                    "subscription_id": print_only.id,
                    "edition": "print",
                    "access_edition": "print",
                },
            ],
        )
        self.assertEqual(
            Entitlement._lookup("customer", self.alice.id)[0]["edition"], "both"
        )


@tagged("post_install", "-at_install")
class TestBundleOffer(BundleCommon):
    def test_form_shares_the_price(self):
        with Form(self.env["publication.subscription.plan"]) as form:
            form.name = "Weekend bundle"
            form.publication_id = self.monthly
            form.price = 120.0
            form.channel = "bundle"
            form.print_share = 30.0
            self.assertEqual(form.digital_share, 70.0)
            form.bundle_share_type = "amount"
            self.assertEqual(form.digital_share, 90.0)
            form.print_share = 20.0
            self.assertEqual(form.digital_share, 100.0)
            form.price = 150.0
            self.assertEqual(form.digital_share, 130.0)
            form.bundle_invoicing = "parts"
            form.digital_product_id = self.product_digital
        plan = form.record
        self.assertRecordValues(
            plan,
            [
                {
                    "print_share": 20.0,
                    "digital_share": 130.0,
                    "bundle_invoicing": "parts",
                }
            ],
        )
        self.assertEqual(
            [p[1:] for p in plan._invoice_parts(150.0)],
            [(20.0, "print"), (130.0, "digital")],
        )

    def test_bad_parts_are_refused(self):
        negative = "of offer Print + e-paper must not be negative"
        add_up = "must add up to"
        cases = [
            ({"print_share": -10.0}, f"Print Share {negative}, not -10.0"),
            ({"digital_share": -5.0}, f"Digital Share {negative}, not -5.0"),
            (
                {"digital_share": 50.0},
                f"(40.0) and Digital Share (50.0) {add_up} 100.0, not 90.0",
            ),
            (
                {
                    "bundle_share_type": "amount",
                    "print_share": 50.0,
                    "digital_share": 60.0,
                },
                f"(50.0) and Digital Share (60.0) {add_up} 120.0, not 110.0",
            ),
            (
                {"bundle_invoicing": "parts", "digital_product_id": False},
                "set its Digital Product",
            ),
            (
                {"digital_addon_price": 10.0},
                "Digital Add-on Surcharge (10.0) is for print offers only",
            ),
        ]
        for vals, message in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError) as caught,
                self.env.cr.savepoint(),
            ):
                self.plan_bundle.write(vals)
            self.assertIn(message, str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.plan_addon.digital_addon_price = -1.0
        self.assertIn(
            "Digital Add-on Surcharge of offer Print, e-paper on request must not "
            "be negative, not -1.0",
            str(caught.exception),
        )

    def test_addon_only_where_the_offer_has_one(self):
        with self.assertRefused(ValidationError, "has no digital add-on"):
            self._subscription(plan_id=self.plan_annual.id, digital_addon=True)
        with self.assertRefused(ValidationError, "has no digital add-on"):
            self._subscription(plan_id=self.plan_bundle.id, digital_addon=True)
