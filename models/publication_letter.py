"""Paper letters: the invoices, payment reminders and price change notices of
payers without an e-mail address (or who ask for paper), collected in the
company's open letter run and printed in one PDF for the print house."""

import base64
import io
from datetime import timedelta

import qrcode
from PIL import Image

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools.image import image_data_uri

UNPAID = ("not_paid", "partial")
# an invoice posted more than this many days ago gets no invoice letter any
# more (only its payment reminders): installing the feature does not print the
# whole ledger
INVOICE_LETTER_DAYS = 14
QR_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def qr_png(params):
    """The PNG of the QR code that ir.actions.report.barcode(**params) draws
    (value, width, height, quiet, barLevel; a quiet zone of 4 modules unless
    quiet is 0), made with qrcode and Pillow: reportlab's drawing of the
    modules takes a tenth of a second a code, 10 minutes for 5,000 letters."""
    code = qrcode.QRCode(
        error_correction=QR_LEVELS.get(params.get("barLevel"), QR_LEVELS["L"]),
        border=4 if int(params.get("quiet", 1)) else 0,
    )
    code.add_data(params["value"])
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)))
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    size = (int(params.get("width", 600)), int(params.get("height", 100)))
    stream = io.BytesIO()
    image.resize(size, Image.Resampling.NEAREST).save(stream, "PNG")
    return stream.getvalue()


class PublicationLetter(models.Model):
    """One printed letter: an invoice or a payment reminder of it, addressed to
    the invoice's partner, with the payment reference of the journal's
    reference model and the SEPA QR code; or the notice of a new price to a
    subscription's payer."""

    _name = "publication.letter"
    _description = "Paper Letter"
    _order = "run_id, sort_key, id"

    run_id = fields.Many2one(
        "publication.letter.run",
        string="Letter Run",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    kind = fields.Selection(
        [
            ("invoice", "Invoice"),
            ("reminder", "Payment Reminder"),
            ("price", "Price Change Notice"),
        ],
        required=True,
        readonly=True,
    )
    invoice_id = fields.Many2one(
        "account.move", ondelete="cascade", index=True, readonly=True
    )
    price_notice_id = fields.Many2one(
        "publication.price.notice",
        string="Price Change Notice",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Addressee", required=True, readonly=True
    )
    period_id = fields.Many2one(
        "publication.subscription.period", ondelete="set null", readonly=True
    )
    subscription_id = fields.Many2one(
        related="period_id.subscription_id", string="Subscription"
    )
    dunning_days = fields.Integer(
        string="Days Overdue",
        readonly=True,
        help="The payment reminder step (days after the due date); 0 for an invoice.",
    )
    zip = fields.Char(
        string="Postal Code",
        readonly=True,
        help="The addressee's postal code when the letter was queued.",
    )
    sort_key = fields.Char(
        readonly=True,
        help="Print order: domestic letters by postal code, then those abroad "
        "by country and postal code.",
    )

    _invoice_kind_uniq = models.Constraint(
        "UNIQUE(invoice_id, kind, dunning_days)",
        "An invoice gets one letter of a kind per reminder step.",
    )
    _price_notice_uniq = models.Constraint(
        "UNIQUE(price_notice_id)", "A price change notice is printed once."
    )
    _subject_check = models.Constraint(
        "CHECK(CASE WHEN kind = 'price' THEN price_notice_id IS NOT NULL "
        "ELSE invoice_id IS NOT NULL END)",
        "A price change letter has its notice, the other letters their invoice.",
    )

    @api.depends("kind", "invoice_id", "price_notice_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for letter in self:
            subject = letter.invoice_id or letter.price_notice_id.subscription_id
            letter.display_name = f"{kinds.get(letter.kind, '')} {subject.name or ''}"

    # ------------------------------------------------------------------
    # Who gets paper
    # ------------------------------------------------------------------
    @api.model
    def _paper_domain(self, partner_field):
        """Records whose partner_field (a payer or an invoice partner) gets
        letters: no e-mail address, or Paper Letters ticked."""
        return Domain(f"{partner_field}.email", "=", False) | Domain(
            f"{partner_field}.publication_paper_letters", "=", True
        )

    @api.model
    def _wants_paper(self, partner):
        return not partner.email or partner.publication_paper_letters

    # ------------------------------------------------------------------
    # Queueing (the nightly payment reminders and the letter run's cron)
    # ------------------------------------------------------------------
    @api.model
    def _prepare_open_run(self, model, domains, partner_field):
        """The current company's open run, made before a scheduled action
        splits its work into batches when a record of model matching one of
        domains goes to a paper partner (partner_field): the batches, maybe
        run at once by two queue job workers, then share it instead of each
        creating one."""
        paper = self._paper_domain(partner_field)
        if any(model.search_count(Domain(d) & paper, limit=1) for d in domains):
            self.env["publication.letter.run"].sudo()._open_run(self.env.company)

    @api.model
    def _send_payment_reminders(self, periods, step):
        """The payment reminder of step for periods (publication.automation's
        dunning): by e-mail to the payers who read e-mail, as a letter in the
        company's open letter run to the others. Called by
        publication.subscription.period._send_payment_reminder."""
        paper = periods.filtered(lambda p: self._wants_paper(p.invoice_id.partner_id))
        (periods - paper).subscription_id._post_template(step.mail_template_id)
        self._queue(paper, "reminder", step.days)

    @api.model
    def _queue_invoice_letters(self):
        """Invoice letters for the subscription invoices of the current
        company posted in the last INVOICE_LETTER_DAYS days, unpaid, to
        paper payers and without their letter yet."""
        today = fields.Date.context_today(self)
        Period = self.env["publication.subscription.period"]
        domain = (
            Domain("company_id", "=", self.env.company.id)
            & Domain("payment_state", "in", UNPAID)
            & Domain("invoice_id.state", "=", "posted")
            & Domain(
                "invoice_id.invoice_date",
                ">=",
                today - timedelta(days=INVOICE_LETTER_DAYS),
            )
            & self._paper_domain("invoice_id.partner_id")
        )
        periods = Period.sudo().search(domain, order="id")
        self._queue(periods, "invoice", 0)

    @api.model
    def _queue(self, periods, kind, dunning_days):
        """One letter of kind per invoice of periods (the periods of a
        sponsored batch share one invoice), in the company's open letter run;
        none for an invoice that has that letter already (a rerun adds
        nothing). Returns the letters created."""
        if not periods:
            return self.browse()
        periods = periods.sudo()
        invoices = periods.invoice_id
        done = set(
            self.sudo()
            .search(
                [
                    ("invoice_id", "in", invoices.ids),
                    ("kind", "=", kind),
                    ("dunning_days", "=", dunning_days),
                ]
            )
            .invoice_id.ids
        )
        vals_list = []
        for invoice, invoice_periods in periods.grouped("invoice_id").items():
            if invoice.id in done:
                continue
            partner = invoice.partner_id
            vals_list.append(
                {
                    "company_id": invoice.company_id.id,
                    "kind": kind,
                    "invoice_id": invoice.id,
                    "partner_id": partner.id,
                    "period_id": invoice_periods[:1].id,
                    "dunning_days": dunning_days,
                    "zip": partner.zip,
                    "sort_key": self._sort_key(partner, invoice.company_id),
                }
            )
        return self._create_in_open_runs(vals_list)

    @api.model
    def _queue_price_notices(self, notices):
        """A letter for each price change notice (publication.price.notice)
        to a paper payer, in the company's open letter run. Returns the
        letters."""
        vals_list = []
        for notice in notices.sudo():
            payer = notice.payer_id
            vals_list.append(
                {
                    "company_id": notice.company_id.id,
                    "kind": "price",
                    "price_notice_id": notice.id,
                    "partner_id": payer.id,
                    "period_id": notice.subscription_id.period_ids[-1:].id,
                    "zip": payer.zip,
                    "sort_key": self._sort_key(payer, notice.company_id),
                }
            )
        return self._create_in_open_runs(vals_list)

    @api.model
    def _create_in_open_runs(self, vals_list):
        """The letters of vals_list (each with its company_id) created in
        their company's open run, held open until the transaction ends."""
        Run = self.env["publication.letter.run"].sudo()
        letters = self.sudo().browse()
        for company_id, company_vals in self._group_by_company(vals_list).items():
            run = Run._open_run(self.env["res.company"].browse(company_id))
            run._hold_open()
            for vals in company_vals:
                vals["run_id"] = run.id
                del vals["company_id"]
            letters |= self.sudo().create(company_vals)
        return letters

    @staticmethod
    def _group_by_company(vals_list):
        groups = {}
        for vals in vals_list:
            groups.setdefault(vals["company_id"], []).append(vals)
        return groups

    @api.model
    def _sort_key(self, partner, company):
        """Domestic addresses first, by postal code; then the others by
        country and postal code."""
        country = partner.country_id
        abroad = bool(country) and country != company.country_id
        code = (country.code or "") if abroad else ""
        zip_code = (partner.zip or "").strip().upper().rjust(10)
        return f"{int(abroad)}|{code}|{zip_code}|{(partner.name or '')[:40].upper()}"

    # ------------------------------------------------------------------
    # The letter's content (report publication_crm.report_publication_letters)
    # ------------------------------------------------------------------
    def _address_lines(self):
        """The addressee's lines for the envelope window: the company and the
        person, the street, postal code and city, the country only when
        abroad."""
        self.ensure_one()
        partner = self.partner_id
        company = partner.commercial_partner_id
        lines = [company.name if company != partner and company.is_company else None]
        lines += [
            partner.name,
            partner.street,
            partner.street2,
            " ".join(filter(None, [partner.zip, partner.city])),
        ]
        home = self.run_id.company_id.country_id
        if partner.country_id and partner.country_id != home:
            lines.append(partner.country_id.name.upper())
        return [line for line in lines if line]

    def _return_address(self):
        """The sender's one-line address above the addressee (DIN 5008)."""
        self.ensure_one()
        sender = self.run_id.company_id.partner_id
        return " · ".join(
            filter(
                None,
                [
                    sender.name,
                    sender.street,
                    " ".join(filter(None, [sender.zip, sender.city])),
                ],
            )
        )

    def _payment_reference(self):
        """The reference the payer quotes: the invoice's payment reference,
        as the journal's reference model made it (Finnish or RF creditor
        reference with l10n_fi's models 'fi' and 'fi_rf', RF with 'euro')."""
        self.ensure_one()
        return self.invoice_id.payment_reference or self.invoice_id.name

    def _formatted_reference(self):
        """The reference in groups of four (RF) or five (national), as the
        Finnish banks print it; the QR code carries it unspaced."""
        reference = (self._payment_reference() or "").replace(" ", "")
        size = 4 if reference[:2].isalpha() else 5
        if not reference.isalnum():
            return reference
        if size == 5:  # national references are grouped from the right
            head = len(reference) % 5
            groups = [reference[:head]] if head else []
            groups += [reference[i : i + 5] for i in range(head, len(reference), 5)]
            return " ".join(groups)
        return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))

    def _bank_account(self):
        """The account the payer pays to: the invoice's recipient bank, else
        the company's first one."""
        self.ensure_one()
        invoice = self.invoice_id
        return invoice.partner_bank_id or invoice.company_id.partner_id.bank_ids[:1]

    def _qr_code(self):
        """The SEPA credit transfer QR code (EPC, account_qr_code_sepa) of the
        open amount, as a data URI; None when it cannot be made (no IBAN of a
        SEPA country, not EUR, nothing to pay). The account's QR method gives
        the content and size; qr_png draws a plain QR code, Odoo's barcode
        helper any other (a masked one)."""
        self.ensure_one()
        invoice = self.invoice_id
        bank = self._bank_account()
        if not bank or invoice.currency_id.is_zero(invoice.amount_residual):
            return None
        reference = self._payment_reference()
        vals = bank._build_qr_code_vals(
            invoice.amount_residual,
            reference,
            reference,
            invoice.currency_id,
            invoice.partner_id,
            invoice.qr_code_method or "sct_qr",
            silent_errors=True,
        )
        if not vals:
            return None
        params = bank._get_qr_code_generation_params(**vals)
        if not params or params.get("barcode_type") != "QR" or params.get("mask"):
            return bank._get_qr_code_base64(**vals)
        return image_data_uri(base64.b64encode(qr_png(params)))
