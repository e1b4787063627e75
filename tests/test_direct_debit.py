import base64
import re
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import file_open

from odoo.addons.account.models.account_move_line import AccountMoveLine
from odoo.addons.account.models.account_payment import AccountPayment
from odoo.addons.account.models.account_payment_method import AccountPaymentMethodLine

from .common import AutomationCommon

COMPANY_IBAN = "FR76 3000 6000 0112 3456 7890 189"
READER_IBANS = ["DE89 3704 0044 0532 0130 00", "NL91 ABNA 0417 1643 00"]
# what a returned debit still costs on its own: the fee invoice's analytic
# distribution, number and "Posted" tracking, its payment's partials
RETURN_QUERIES = 12
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Undone(Exception):
    """Raised to undo a savepoint."""


def german_iban(n):
    """A valid German IBAN, the n-th."""
    bban = f"37040044{n:010d}"
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    return f"DE{98 - int(digits) % 97:02d}{bban}"


def pain002_return(payments, reason, msg_id="RET-2026-0001"):
    """A pain.002.001.03 status report of the bank rejecting payments (the
    account.payment records of a direct debit order, by their end-to-end id)."""
    transactions = "".join(
        f"""
            <TxInfAndSts>
                <StsId>REJ{payment.id}</StsId>
                <OrgnlEndToEndId>{payment.id}</OrgnlEndToEndId>
                <TxSts>RJCT</TxSts>
                <StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>
                <OrgnlTxRef>
                    <Amt><InstdAmt Ccy="{payment.currency_id.name}">{
            payment.amount:.2f}</InstdAmt></Amt>
                    <ReqdColltnDt>{payment.payment_line_date}</ReqdColltnDt>
                    <Dbtr><Nm>{payment.partner_id.name}</Nm></Dbtr>
                    <DbtrAcct><Id><IBAN>{
            payment.partner_bank_id.sanitized_acc_number
        }</IBAN></Id></DbtrAcct>
                    <CdtrAcct><Id><IBAN>{
            COMPANY_IBAN.replace(" ", "")
        }</IBAN></Id></CdtrAcct>
                </OrgnlTxRef>
            </TxInfAndSts>"""
        for payment in payments
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
    <CstmrPmtStsRpt>
        <GrpHdr>
            <MsgId>{msg_id}</MsgId>
            <CreDtTm>{date.today()}T08:00:00</CreDtTm>
        </GrpHdr>
        <OrgnlGrpInfAndSts>
            <OrgnlMsgId>{payments.payment_order_id[:1].name}</OrgnlMsgId>
            <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>
        </OrgnlGrpInfAndSts>
        <OrgnlPmtInfAndSts>
            <OrgnlPmtInfId>{payments.payment_order_id[:1].name}</OrgnlPmtInfId>
            {transactions}
        </OrgnlPmtInfAndSts>
    </CstmrPmtStsRpt>
</Document>""".encode()


class DirectDebitCommon(AutomationCommon):
    """A company collecting by SEPA direct debit (OCA's payment mode)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.sepa_creditor_identifier = "FR78ZZZ424242"
        bank = cls.env["res.bank"].create({"name": "Bank", "bic": "AGRIFRPPXXX"})
        company_account = cls.env["res.partner.bank"].create(
            {
                "acc_number": COMPANY_IBAN,
                "bank_id": bank.id,
                "partner_id": company.partner_id.id,
                "company_id": company.id,
            }
        )
        sdd = cls.env.ref("account_banking_sepa_direct_debit.sepa_direct_debit")
        cls.sdd_journal = cls.env["account.journal"].create(
            {
                "name": "Direct Debits",
                "code": "SDD",
                "type": "bank",
                "bank_account_id": company_account.id,
                "inbound_payment_method_line_ids": [
                    Command.create({"payment_method_id": sdd.id})
                ],
            }
        )
        cls.sdd_mode = cls.env["account.payment.mode"].create(
            {
                "name": "SEPA Direct Debit",
                "payment_method_id": sdd.id,
                "bank_account_link": "fixed",
                "fixed_journal_id": cls.sdd_journal.id,
            }
        )
        cls.readers = cls.env["res.partner"].create(
            [
                {"name": f"Reader {n}", "email": f"reader{n}@example.com"}
                for n in range(2)
            ]
        )
        cls.monthly.direct_debit_return_fee = 5.0

    def _enter_mandate(self, reader, iban):
        """The clerk enters the mandate the reader signed, from a subscription."""
        subscription = self.env["publication.subscription"].search(
            [("payer_id", "=", reader.id)], limit=1
        )
        action = subscription.with_user(self.user).action_open_direct_debit_wizard()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.user)
            .with_context(**action["context"])
        )
        wizard.acc_number = iban
        wizard.signature_date = date(2026, 1, 10)
        action = wizard.save().action_confirm()
        return self.env["account.banking.mandate"].browse(action["res_id"])

    def _payment_mode(self, payer):
        return payer.with_company(self.env.company).customer_payment_mode_id

    def _collect(self):
        self._run("_cron_direct_debit_collection")
        return self.env["account.payment.order"].search(
            [("payment_mode_id", "=", self.sdd_mode.id), ("state", "=", "draft")]
        )

    def _send(self, order):
        """The clerk confirms the order, generates its pain.008 file (OCA
        validates it against the schema) and marks it sent to the bank."""
        order = order.with_user(self.user)
        order.draft2open()
        action = order.open2generated()
        attachment = self.env["ir.attachment"].browse(action["res_id"])
        order.generated2uploaded()
        return base64.b64decode(attachment.datas)

    def _import_return(self, payments, reason, msg_id):
        """The clerk imports the bank's return file and confirms it."""
        Import = self.env["payment.return.import"].with_user(self.user)
        wizard = Import.create(
            {
                "data_file": base64.b64encode(pain002_return(payments, reason, msg_id)),
            }
        )
        action = wizard.import_file()
        payment_return = self.env["payment.return"].with_user(self.user)
        payment_return = payment_return.browse(action["res_id"])
        payment_return.action_confirm()
        return payment_return

    def _renewal_invoice(self, subscription):
        return subscription.period_ids.sorted("date_start")[-1].invoice_id

    def _assert_valid_pain008(self, xml):
        schema = etree.XMLSchema(
            etree.parse(
                file_open("account_banking_sepa_direct_debit/data/pain.008.001.02.xsd")
            )
        )
        root = etree.fromstring(xml)
        self.assertTrue(schema.validate(root), schema.error_log)
        return root


@tagged("post_install", "-at_install")
class TestDirectDebit(DirectDebitCommon):
    """Payers with a SEPA mandate: their renewal invoices are collected in a
    direct debit order (OCA) and a bank return reopens them."""

    def test_mandate_payers_renewal_lands_in_one_order_with_a_valid_pain008(self):
        with freeze_time("2026-01-01"):
            subscriptions = self._active_continuous(self.readers)
            for subscription in subscriptions:
                self._pay(self._invoice(subscription))
        with freeze_time("2026-01-10"):
            mandate = self._enter_mandate(self.readers[0], READER_IBANS[0])
        self.assertEqual(mandate.state, "valid")
        self.assertEqual(mandate.recurrent_sequence_type, "first")
        self.assertEqual(subscriptions[0].direct_debit_mandate_id, mandate)
        self.assertFalse(subscriptions[1].direct_debit_mandate_id)
        with freeze_time("2026-03-31"):
            self._run("_cron_renew")
            debited = self._renewal_invoice(subscriptions[0])
            invoiced = self._renewal_invoice(subscriptions[1])
            self.assertEqual(debited.payment_mode_id, self.sdd_mode)
            self.assertEqual(debited.mandate_id, mandate)
            self.assertFalse(invoiced.payment_mode_id)
            order = self._collect()
            self.assertEqual(len(order), 1)
            self.assertEqual(order.date_scheduled, date(2026, 4, 1))
            self.assertEqual(order.payment_line_ids.move_line_id.move_id, debited)
            self.assertEqual(order.payment_line_ids.mandate_id, mandate)
            self.assertEqual(self._collect(), order, "a rerun adds nothing")
            self.assertEqual(len(order.payment_line_ids), 1)
            root = self._assert_valid_pain008(self._send(order))
        ns = {"p": root.nsmap[None]}
        self.assertEqual(
            root.xpath("//p:MndtId", namespaces=ns)[0].text,
            mandate.unique_mandate_reference,
        )
        self.assertEqual(
            root.xpath("//p:PmtInf/p:PmtTpInf/p:SeqTp", namespaces=ns)[0].text, "FRST"
        )
        self.assertEqual(root.xpath("//p:CtrlSum", namespaces=ns)[0].text, "30.00")
        self.assertEqual(order.state, "uploaded")
        payments = order.payment_ids
        self.assertEqual(payments.payment_line_ids, order.payment_line_ids)
        self.assertFalse(
            payments.message_ids.filtered(lambda m: "created" in str(m.body)),
            "the order's payments are logged on the order, not one by one",
        )
        self.assertNotIn(self.user.partner_id, payments.message_partner_ids)
        self.assertIn(debited.payment_state, ("in_payment", "paid"))
        self.assertEqual(
            subscriptions[0].period_ids.sorted("date_start")[-1].payment_state,
            debited.payment_state,
        )
        self.assertEqual(mandate.recurrent_sequence_type, "recurring")
        self.assertTrue(
            mandate.message_ids.filtered(lambda m: "Recurring" in str(m.body)),
            "OCA's note on the mandate switched to recurring is logged",
        )
        self.assertEqual(payments.move_id.payment_order_id, order)
        with freeze_time("2026-04-01"):
            self.assertFalse(self._collect(), "an invoice is never debited twice")

    def test_returns_reopen_the_invoice_tell_the_payer_charge_the_fee_and_suspend(self):
        with freeze_time("2026-01-01"):
            subscription = self._active_continuous(self.readers[:1])
            self._pay(self._invoice(subscription))
        with freeze_time("2026-01-10"):
            mandate = self._enter_mandate(self.readers[0], READER_IBANS[0])
        with freeze_time("2026-03-31"):
            self._run("_cron_renew")
            invoice = self._renewal_invoice(subscription)
            order = self._collect()
            self._send(order)
        with freeze_time("2026-04-05"):
            self._import_return(order.payment_ids, "AM04", "RET-1")
        period = subscription.period_ids.sorted("date_start")[-1]
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertTrue(invoice.returned_payment)
        self.assertEqual(invoice.direct_debit_return_reason_id.code, "AM04")
        note = invoice.message_ids.filtered(lambda m: "open again" in str(m.body))
        self.assertEqual(len(note), 1, "the clerk sees why the invoice is open")
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(period.payment_state, "not_paid", "awaiting payment again")
        mail = subscription.message_ids.filtered(
            lambda m: "was returned" in (m.subject or "")
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.notification_ids.res_partner_id, self.readers[0])
        self.assertEqual(mail.author_id, self.env.company.partner_id)
        self.assertIn("AM04", str(mail.body))
        fee = self.env["account.move"].search(
            [("invoice_origin", "=", invoice.name), ("move_type", "=", "out_invoice")]
        )
        self.assertEqual(fee.partner_id, self.readers[0])
        self.assertEqual(fee.amount_total, 5.0)
        self.assertEqual(fee.state, "posted")
        self.assertEqual(mandate.publication_return_count, 1)
        self.assertEqual(mandate.state, "valid", "one return is not enough")
        # the next renewal returns too: the second return suspends the mandate
        with freeze_time("2026-06-30"):
            self._run("_cron_renew")
            second = self._renewal_invoice(subscription)
            order = self._collect()
            self.assertEqual(
                order.payment_line_ids.move_line_id.move_id,
                second | fee,
                "the fee is debited too, the returned invoice is not debited again",
            )
            names = order.payment_line_ids.sorted("id").mapped("name")
            self.assertEqual(len(set(names)), 2, "one reference each")
            self.assertNotIn("New", names)
            self._send(order)
        with freeze_time("2026-07-03"):
            self._import_return(order.payment_ids, "AM04", "RET-2")
        self.assertEqual(mandate.publication_return_count, 2)
        self.assertEqual(mandate.state, "expired")
        self.assertFalse(subscription.direct_debit_mandate_id)
        self.assertFalse(
            self.readers[0].with_company(self.env.company).customer_payment_mode_id
        )
        self.assertFalse(second.payment_mode_id, "the payer is invoiced again")
        self.assertEqual(second.payment_state, "not_paid")
        with freeze_time("2026-09-30"):
            self._run("_cron_renew")
            self.assertFalse(self._renewal_invoice(subscription).payment_mode_id)
            self.assertFalse(self._collect())

    def test_an_order_is_confirmed_and_returned_in_batches(self):
        """The method line, the outstanding account and the return items are
        found or created once for all the debits, with the same result."""
        with freeze_time("2026-01-01"):
            subscriptions = self._active_continuous(self.readers)
            for subscription in subscriptions:
                self._pay(self._invoice(subscription))
        with freeze_time("2026-01-10"):
            for reader, iban in zip(self.readers, READER_IBANS, strict=True):
                self._enter_mandate(reader, iban)
        method_line = self.sdd_journal.inbound_payment_method_line_ids
        searches = []
        real_search = AccountPaymentMethodLine.search_fetch

        def search_fetch(model, domain, *args, **kwargs):
            if "payment_method_id" in str(domain):
                searches.append(domain)
            return real_search(model, domain, *args, **kwargs)

        with freeze_time("2026-03-31"):
            self._run("_cron_renew")
            invoices = subscriptions.mapped(self._renewal_invoice)
            order = self._collect()
            self.assertEqual(len(order.payment_line_ids), 2)
            with (
                patch.object(
                    AccountPaymentMethodLine, "search_fetch", search_fetch, create=True
                ),
                patch.object(
                    AccountPayment,
                    "_get_outstanding_account",
                    autospec=True,
                    side_effect=AccountPayment._get_outstanding_account,
                ) as outstanding,
            ):
                order.with_user(self.user).draft2open()
            self.assertEqual(len(searches), 1, "one search of the method line")
            self.assertEqual(outstanding.call_count, 1, "one outstanding account")
            order.with_user(self.user).open2generated()
            order.with_user(self.user).generated2uploaded()
        payments = order.payment_ids
        self.assertEqual(len(payments), 2)
        self.assertEqual(payments.payment_method_line_id, method_line)
        self.assertEqual(
            payments.outstanding_account_id,
            payments[0]._get_outstanding_account("inbound"),
        )
        creates = []
        real_create = AccountMoveLine.create

        def create(model, vals_list):
            creates.append([vals["name"] for vals in vals_list if vals.get("debit")])
            return real_create(model, vals_list)

        with (
            freeze_time("2026-04-05"),
            patch.object(AccountMoveLine, "create", create),
        ):
            payment_return = self._import_return(payments, "AM04", "RET-1")
        returns = [
            names
            for names in creates
            if names and all((name or "").startswith("Return ") for name in names)
        ]
        self.assertEqual(returns, [returns[0][:1] * 2], "one batch of return items")
        self.assertEqual(payment_return.state, "done")
        return_items = payment_return.move_id.line_ids.filtered("debit")
        self.assertEqual(len(return_items), 2)
        for line in payment_return.line_ids:
            item = return_items.filtered(lambda x, p=line.partner_id: x.partner_id == p)
            self.assertEqual(item.debit, line.amount)
            self.assertTrue(item.reconciled)
            self.assertEqual(
                item.full_reconcile_id, line.move_line_ids.full_reconcile_id
            )
        self.assertEqual(set(invoices.mapped("payment_state")), {"not_paid"})
        self.assertTrue(all(invoices.mapped("returned_payment")))

    def test_confirming_a_return_costs_few_queries_per_returned_debit(self):
        """The payers are told, invoiced and counted for the whole return
        at once: 10 returns cost few queries more than 2."""
        payers = self.env["res.partner"].create(
            [{"name": f"Payer {n}", "email": f"payer{n}@x.example"} for n in range(12)]
        )
        subscriptions = self._renewed_mandate_payers(payers)
        with freeze_time("2026-03-31"):
            order = self._collect()
            self._send(order)
        payments = order.payment_ids.sorted("id")
        self.assertEqual(len(payments), 12)
        queries = {}
        with freeze_time("2026-04-05"):
            for batch, msg_id in ((payments[:2], "RET-A"), (payments[2:], "RET-B")):
                data = base64.b64encode(pain002_return(batch, "AM04", msg_id))
                wizard = self.env["payment.return.import"].create({"data_file": data})
                payment_return = self.env["payment.return"].browse(
                    wizard.import_file()["res_id"]
                )
                self.env.flush_all()
                self.env.invalidate_all()
                count = self.env.cr.sql_log_count
                payment_return.action_confirm()
                self.env.flush_all()
                queries[len(batch)] = self.env.cr.sql_log_count - count
        invoices = payments.payment_line_ids.move_line_id.move_id
        self.assertEqual(set(invoices.mapped("payment_state")), {"not_paid"})
        fees = self.env["account.move"].search(
            [("invoice_origin", "in", invoices.mapped("name"))]
        )
        self.assertEqual(len(fees), 12, "one fee each")
        mails = subscriptions.message_ids.filtered(
            lambda m: "was returned" in (m.subject or "")
        )
        self.assertEqual(len(mails), 12, "each payer told once")
        per_return = (queries[10] - queries[2]) / 8
        self.assertLessEqual(per_return, RETURN_QUERIES, f"queries: {queries}")

    def _renewed_mandate_payers(self, payers):
        """Paid subscriptions of payers, who sign a mandate, renewed on 31
        March 2026 (their renewal invoices due by direct debit)."""
        with freeze_time("2026-01-01"):
            subscriptions = self._active_continuous(payers)
            for subscription in subscriptions:
                self._pay(self._invoice(subscription))
        with freeze_time("2026-01-10"):
            for n, payer in enumerate(payers):
                payer._publication_sign_mandate(german_iban(n), date(2026, 1, 10))
        with freeze_time("2026-03-31"):
            self._run("_cron_renew")
        return subscriptions

    def _debit_queries(self, count):
        """Queries of the collection, confirmation and pain.008 file of an
        order of count new mandate payers' renewals, all undone after."""
        queries = {}
        try:
            with self.env.cr.savepoint():
                self._count_debit_queries(count, queries)
                raise Undone
        except Undone:
            self.env.invalidate_all()
        return queries

    def _count_debit_queries(self, count, queries):
        readers = self.env["res.partner"].create(
            [{"name": f"Payer {n}"} for n in range(count)]
        )
        self._renewed_mandate_payers(readers)
        with freeze_time("2026-03-31"):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._run("_cron_direct_debit_collection")
            queries["collection"] = self.env.cr.sql_log_count - before
            order = self._collect()
            self.assertEqual(len(order.payment_line_ids), count)
            order = order.with_user(self.user)
            for step in ("draft2open", "open2generated"):
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                getattr(order, step)()
                self.env.flush_all()
                queries[step] = self.env.cr.sql_log_count - before

    def test_an_order_of_more_debits_takes_no_more_queries(self):
        """Collecting, confirming and writing the file of an order take as
        many queries for 4 debits as for 2."""
        self._debit_queries(1)  # the caches filled
        two = self._debit_queries(2)
        self.assertEqual(self._debit_queries(4), two)

    def test_clerk_refused_an_invalid_iban(self):
        with freeze_time("2026-01-01"):
            self._active_continuous(self.readers[:1])
            with self.assertRaisesRegex(UserError, "IBAN DE00 1234 of Reader 0"):
                self._enter_mandate(self.readers[0], "DE00 1234")
        self.assertFalse(
            self.env["account.banking.mandate"].search(
                [("partner_id", "=", self.readers[0].id)]
            )
        )

    def test_the_payer_signs_and_revokes_on_the_portal_the_reader_may_not(self):
        with freeze_time("2026-01-01"):
            gift = self._confirmed(
                recipient_id=self.bob.id, payer_id=self.readers[0].id
            )
        with freeze_time("2026-01-10"):
            with self.assertRaises(AccessError):
                gift._portal_sign_mandate(self.bob, READER_IBANS[0])
            with self.assertRaisesRegex(UserError, "IBAN DE00 1234 of Reader 0"):
                gift._portal_sign_mandate(self.readers[0], "DE00 1234")
            mandate = gift._portal_sign_mandate(self.readers[0], READER_IBANS[0])
        self.assertRecordValues(
            mandate,
            [
                {
                    "state": "valid",
                    "signature_date": date(2026, 1, 10),
                    "partner_id": self.readers[0].id,
                    "recurrent_sequence_type": "first",
                }
            ],
        )
        self.assertEqual(gift.direct_debit_mandate_id, mandate)
        self.assertEqual(self._payment_mode(self.readers[0]), self.sdd_mode)
        self.assertIn("signed SEPA mandate", gift.message_ids[0].body)
        with self.assertRaises(AccessError):
            gift._portal_stop_direct_debit(self.bob)
        gift._portal_stop_direct_debit(self.readers[0])
        self.assertEqual(mandate.state, "cancel")
        self.assertFalse(self._payment_mode(self.readers[0]))
        self.assertFalse(gift.direct_debit_mandate_id)
        with self.assertRaisesRegex(UserError, "no valid direct debit mandate"):
            gift._portal_stop_direct_debit(self.readers[0])

    def test_without_a_creditor_identifier_the_portal_offers_no_mandate(self):
        with freeze_time("2026-01-01"):
            subscription = self._active_continuous(self.readers[:1])
        self.assertTrue(subscription._direct_debit_offered())
        self.env.company.sepa_creditor_identifier = False
        self.assertFalse(subscription._direct_debit_offered())
        with self.assertRaisesRegex(UserError, "does not collect by direct debit"):
            subscription._portal_sign_mandate(self.readers[0], READER_IBANS[0])


@tagged("post_install", "-at_install")
class TestDirectDebitPortal(DirectDebitCommon, HttpCase):
    """Over HTTP and in a browser: the payer logged in signs and revokes a
    mandate on the subscription's page; the reader of a gift and a visitor
    holding the mailed link change nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payer_user = new_test_user(
            cls.env,
            login="portal_payer",
            groups="base.group_portal",
            partner_id=cls.readers[0].id,
        )
        cls.reader_user = new_test_user(
            cls.env,
            login="portal_reader",
            groups="base.group_portal",
            partner_id=cls.bob.id,
        )

    def _gift(self):
        return self._confirmed(recipient_id=self.bob.id, payer_id=self.readers[0].id)

    def _post(self, subscription, data, access_token=None):
        url = f"/my/subscriptions/{subscription.id}/direct_debit"
        if access_token:
            url += f"?access_token={access_token}"
        csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        response = self.url_open(
            url, data=dict(data, csrf_token=csrf), allow_redirects=False
        )
        self.env.invalidate_all()
        return response

    def test_payer_signs_and_stops_over_http_others_change_nothing(self):
        subscription = self._gift()
        sign = {"iban": READER_IBANS[0], "authorise": "1"}
        link_token = subscription.sudo()._portal_ensure_token()
        response = self._post(subscription, sign, link_token)
        self.assertIn("/web/login", response.headers["Location"])
        self.authenticate("portal_reader", "portal_reader")
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertNotIn("o_subscription_direct_debit", page.text)
        response = self._post(subscription, sign)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertFalse(subscription.direct_debit_mandate_id)

        self.authenticate("portal_payer", "portal_payer")
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("o_subscription_sign_mandate", page.text)
        self.assertIn("FR78ZZZ424242", page.text, "the creditor identifier")
        response = self._post(subscription, {"iban": READER_IBANS[0]})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Tick the authorisation", response.text)
        response = self._post(subscription, {"iban": "XX12", "authorise": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("IBAN XX12 of ", response.text)
        self.assertIn("is not valid", response.text)
        self.assertFalse(subscription.direct_debit_mandate_id)
        response = self._post(subscription, sign)
        self.assertEqual(response.status_code, 303)
        mandate = subscription.direct_debit_mandate_id
        self.assertEqual(mandate.state, "valid")
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("your invoices are collected by direct debit", page.text)
        self.assertIn(mandate.unique_mandate_reference, page.text)

        self._post(subscription, {"stop": "1"})
        self.assertEqual(mandate.state, "cancel")
        page = self.url_open(f"/my/subscriptions/{subscription.id}")
        self.assertIn("Direct debit is stopped", page.text)

    def test_payer_signs_and_stops_in_a_browser(self):
        subscription = self._gift()
        self.start_tour(
            f"/my/subscriptions/{subscription.id}",
            "publication_crm_direct_debit_portal",
            login="portal_payer",
        )
        mandate = self.env["account.banking.mandate"].search(
            [("partner_id", "=", self.readers[0].id)]
        )
        self.assertEqual(mandate.state, "cancel", "signed, then stopped")
        self.assertEqual(
            mandate.partner_bank_id.sanitized_acc_number, "DE89370400440532013000"
        )
