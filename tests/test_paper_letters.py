"""Invoices and payment reminders as printed letters for payers without an
e-mail address: Finnish references (l10n_fi's models 'fi_rf' and 'fi'), the
SEPA QR code, one PDF per run sorted by postal code, nothing twice.

Needs l10n_fi installed in the test database (tools/check installs it; the
add-on does not depend on it)."""

import base64
import io
import os
import re
import subprocess
import tempfile
from pathlib import Path
from unittest.mock import patch

from freezegun import freeze_time
from PIL import Image
from reportlab.graphics.barcode import qrencoder

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import AutomationCommon, pdf_text

AUTOMATION = "odoo.addons.publication_crm.models.publication_automation"


def iso11649_valid(reference):
    """RF creditor reference: the check digits make mod 97 equal 1."""
    moved = reference[4:] + reference[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return reference.startswith("RF") and int(digits) % 97 == 1


def finnish_valid(reference):
    """Finnish national reference: weights 7, 3, 1 from the right."""
    body, check = reference[:-1], int(reference[-1])
    total = sum((7, 3, 1)[i % 3] * int(d) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


@tagged("post_install", "-at_install")
@freeze_time("2026-01-01")
class TestPaperLetters(AutomationCommon):
    country_code = "FI"  # a Finnish company in EUR, with l10n_fi's chart

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        models = dict(
            cls.env["account.journal"]._fields["invoice_reference_model"].selection
        )
        assert "fi_rf" in models, "install l10n_fi in the test database"
        cls.sale_journals = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.env.company.id)]
        )
        cls.sale_journals.invoice_reference_model = "fi_rf"
        company = cls.env.company
        company.partner_id.write(
            {"street": "Kirkkokatu 1", "zip": "00170", "city": "Helsinki"}
        )
        bank = cls.env["res.bank"].create({"name": "Nordea", "bic": "NDEAFIHH"})
        cls.env["res.partner.bank"].create(
            {
                "acc_number": "FI2112345600000785",
                "partner_id": company.partner_id.id,
                "bank_id": bank.id,
                "allow_out_payment": True,
            }
        )
        finland = cls.env.ref("base.fi")
        cls.alice.write(
            {"street": "Pohjoiskatu 2", "city": "Helsinki", "country_id": finland.id}
        )
        cls.bob.write(
            {
                "street": "Etelätie 3",
                "city": "Espoo",
                "country_id": finland.id,
                "lang": "fi_FI",
            }
        )
        cls.carol.write({"email": "carol@example.com", "country_id": finland.id})

    def _print(self):
        self._print_letters()

    def _runs(self):
        return self.env["publication.letter.run"].search(
            [("company_id", "=", self.env.company.id)], order="id"
        )

    def test_reminders_mailed_or_printed_once_by_postal_code(self):
        # Bob (10600) before Alice (10100) in creation order
        bob = self._confirmed(recipient_id=self.bob.id)
        alice = self._confirmed(recipient_id=self.alice.id)
        carol = self._confirmed(recipient_id=self.carol.id)
        self._print()  # the invoice letters of the day, in a first run
        invoice_run = self._runs()
        self.assertEqual(invoice_run.letter_count, 2)
        self.assertEqual(set(invoice_run.letter_ids.mapped("kind")), {"invoice"})

        with freeze_time("2026-01-10"):
            self._run("_cron_dunning")
            self._print()
        reminder_run = self._runs() - invoice_run
        self.assertEqual(len(reminder_run), 1, "one run, one PDF per night")
        self.assertRecordValues(
            reminder_run.letter_ids,
            [
                {"kind": "reminder", "partner_id": self.alice.id, "dunning_days": 7},
                {"kind": "reminder", "partner_id": self.bob.id, "dunning_days": 7},
            ],
        )
        self.assertEqual(reminder_run.state, "printed")
        # Carol reads e-mail: her reminder is mailed, the others' are not
        reminder = self.env.ref("publication_crm.mail_template_payment_reminder")
        subject = reminder._render_field("subject", carol.ids)[carol.id]
        mailed = self.env["mail.message"].search(
            [("subject", "=", subject), ("partner_ids", "=", self.carol.id)]
        )
        self.assertEqual(len(mailed), 1)
        self.assertFalse(
            self.env["mail.message"].search(
                [
                    ("subject", "=", subject),
                    ("partner_ids", "in", (self.alice | self.bob).ids),
                ]
            ),
            "no e-mail to a payer without an address",
        )

        pdf = reminder_run.pdf_id.raw
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(reminder_run.pdf_id.res_id, reminder_run.id)
        text, images = pdf_text(pdf)
        references = [
            self._invoice(s).payment_reference.replace(" ", "") for s in (alice, bob)
        ]
        for reference in references:
            self.assertTrue(iso11649_valid(reference), reference)
            self.assertTrue(finnish_valid(reference[4:]), reference)
        printed = re.findall(r"RF\d\d(?: \w{1,4})+", text)
        self.assertEqual(
            [p.replace(" ", "") for p in printed],
            references,
            "Alice's letter (10100) before Bob's (10600)",
        )
        self.assertEqual(text.count("\f"), 2, "two pages, a letter each")
        qr_codes = [size for size in images if size == ("128", "128")]
        self.assertEqual(len(qr_codes), 2, "a SEPA QR code on each letter")
        self.assertIn("Payment Reminder", text)
        self.assertIn("FI2112345600000785", text.replace(" ", ""))
        # in the reader's format: Bob reads Finnish
        self.assertIn("01.01.2026", text)
        self.assertIn("01/01/2026", text)
        self._shot(pdf, "reminders")

        with freeze_time("2026-01-10"):
            self._run("_cron_dunning")
            self._print()
        self.assertEqual(self._runs(), invoice_run | reminder_run, "nothing added")
        self.assertEqual(len(reminder_run.letter_ids), 2)

    def test_letters_wait_for_a_print_and_are_not_queued_twice(self):
        bob = self._confirmed(recipient_id=self.bob.id)
        Letter = self.env["publication.letter"]
        with freeze_time("2026-01-02"):
            Letter._queue_invoice_letters()
            Letter._queue_invoice_letters()
        run = self._runs()
        self.assertRecordValues(run, [{"state": "open", "letter_count": 1}])
        self.assertEqual(run.letter_ids.invoice_id, self._invoice(bob))
        run.action_print()
        self.assertEqual(run.state, "printing", "closed: new letters go elsewhere")
        self._print()
        self.assertEqual(run.state, "printed")
        with freeze_time("2026-01-03"):
            Letter._queue_invoice_letters()
        self.assertEqual(self._runs(), run, "an invoice letter once")

    def test_a_sponsored_batch_is_reminded_once_from_one_job(self):
        """The periods of one invoice stay in one batch, so one queue job:
        two jobs never queue the same invoice's letter at once, nor make the
        open run at once."""
        readers = self.env["res.partner"].create(
            [{"name": f"Resident {n}", "zip": "10200"} for n in range(3)]
        )
        wizard = self.env["publication.subscription.gift.wizard"].create(
            {
                "payer_id": self.sponsor.id,
                "publication_id": self.monthly.id,
                "plan_id": self.plan_annual.id,
                "origin": "sponsored",
                "date_start": "2026-01-01",
                "line_ids": [Command.create({"recipient_id": r.id}) for r in readers],
            }
        )
        domain = wizard.action_create()["domain"]
        sponsored = self.env["publication.subscription"].search(domain)
        invoice = self._invoice(sponsored)
        self.assertEqual(len(invoice), 1)
        bob = self._confirmed(recipient_id=self.bob.id)
        self._use_job_runner()
        with (
            freeze_time("2026-01-10"),
            patch(f"{AUTOMATION}.publication_automation.BATCH_SIZE", 1),
            trap_jobs() as trap,
        ):
            self.env["publication.automation"]._cron_dunning()
            batches = [set(job.args[1]) for job in trap.enqueued_jobs]
            # the run the jobs share is there before they run
            self.assertRecordValues(
                self._runs(), [{"state": "open", "letter_count": 0}]
            )
            self._perform_all_trapped(trap)
        self.assertIn(set(sponsored.period_ids.ids), batches, "one job, all three")
        letters = self.env["publication.letter"].search([("kind", "=", "reminder")])
        self.assertEqual(letters.invoice_id, invoice | self._invoice(bob))
        self.assertEqual(len(letters), 2)

    def test_paper_letters_flag_and_national_reference(self):
        self.sale_journals.invoice_reference_model = "fi"
        self.carol.publication_paper_letters = True
        carol = self._confirmed(recipient_id=self.carol.id)
        self._print()
        run = self._runs()
        self.assertEqual(run.letter_ids.partner_id, self.carol, "asked for paper")
        reference = self._invoice(carol).payment_reference
        self.assertTrue(reference.isdigit() and finnish_valid(reference), reference)
        text, images = pdf_text(run.pdf_id.raw)
        self.assertIn(run.letter_ids._formatted_reference(), text)
        self.assertIn(("128", "128"), images)
        self._shot(run.pdf_id.raw, "invoice")

    def test_no_qr_code_without_iban(self):
        self.env.company.partner_id.bank_ids.unlink()
        self._confirmed(recipient_id=self.bob.id)
        self._print()
        run = self._runs()
        self.assertFalse(run.letter_ids._qr_code())
        text, images = pdf_text(run.pdf_id.raw)
        self.assertIn(run.letter_ids.invoice_id.name, text)
        self.assertNotIn(("128", "128"), images)

    def test_qr_code_has_the_modules_of_odoos_barcode(self):
        """qr_png draws the QR code that Odoo's barcode helper (reportlab)
        would: the same modules, at the helper's size."""
        self._confirmed(recipient_id=self.bob.id)
        self.env["publication.letter"]._queue_invoice_letters()
        letter = self._runs().letter_ids
        qr = letter._qr_code()
        self.assertTrue(qr.startswith("data:image/png;base64,"))
        image = Image.open(io.BytesIO(base64.b64decode(qr.split(",", 1)[1])))
        self.assertEqual(image.size, (128, 128))
        invoice = letter.invoice_id
        reference = invoice.payment_reference
        value = "\n".join(
            letter._bank_account()._get_qr_vals(
                "sct_qr",
                invoice.amount_residual,
                invoice.currency_id,
                invoice.partner_id,
                reference,
                reference,
            )
        )
        expected = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
        expected.addData(value)
        expected.make()
        count = expected.getModuleCount()
        pixels = image.convert("L").load()
        step = 128 / count
        drawn = [
            [
                pixels[int((c + 0.5) * step), int((r + 0.5) * step)] < 128
                for c in range(count)
            ]
            for r in range(count)
        ]
        self.assertEqual(
            drawn,
            [[bool(expected.isDark(r, c)) for c in range(count)] for r in range(count)],
        )

    def _shot(self, pdf, name):
        """The pages as images letter_<name>-<page>.png in the folder
        PUBLICATION_CRM_SHOTS names, when set (to look at the layout)."""
        if not os.environ.get("PUBLICATION_CRM_SHOTS"):
            return
        shots = Path(os.environ["PUBLICATION_CRM_SHOTS"])
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", file.name, f"{shots}/letter_{name}"],
                check=True,
            )
