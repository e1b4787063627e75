"""Saved cards: the payer's saved payment method (an Odoo ``payment.token``)
pays each renewal's invoice through Odoo's payment flow, once per period; a
failed charge is retried on the publication's days, then the ordinary payment
reminders take over."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain

from ..publication_automation.publication_automation import per_company
from ..publication_subscription_period import UNPAID
from .publication_subscription import OPEN_STATES

_logger = logging.getLogger(__name__)

CHARGE_CRON = "publication_crm.ir_cron_card_charges"
FAILURE_TEMPLATE = "publication_crm.mail_template_card_payment_failed"
# one charge per call: a charge sent to the provider is committed before the
# next one, so that no later failure can roll back the record of a payment
CHARGE_BATCH_SIZE = 1
# with a job runner, a queue job makes that many charges, committing each (a
# job per charge would spend as long in queue_job as in the charge)
CHARGE_JOB_SIZE = 20


class PublicationPublication(models.Model):
    _inherit = "publication.publication"

    card_retry_days = fields.Char(
        string="Retry Card Payments (days after due date)",
        default="1,3,7",
        help="A renewal paid by a saved card whose charge fails is charged again "
        "this many days after the invoice's due date, for example 1,3,7; after "
        "the last try the ordinary payment reminders and suspension apply. "
        "Empty: no retry.",
    )

    @api.constrains("card_retry_days")
    def _check_card_retry_days(self):
        for publication in self:
            publication._card_retry_day_list()

    def _card_retry_day_list(self):
        """The retry days as a sorted list of positive integers."""
        self.ensure_one()
        text = (self.card_retry_days or "").replace(" ", "")
        try:
            days = sorted({int(day) for day in text.split(",") if day})
        except ValueError:
            days = None
        if days is None or any(day <= 0 or day > 365 for day in days):
            raise ValidationError(
                self.env._(
                    "Retry Card Payments of %(publication)s must list days after the "
                    "due date between 1 and 365, separated by commas (for example "
                    "1,3,7), not %(value)s.",
                    publication=self.name,
                    value=self.card_retry_days,
                )
            )
        return days


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    payment_token_id = fields.Many2one(
        "payment.token",
        string="Saved Payment Method",
        copy=False,
        readonly=True,
        index="btree_not_null",
        groups="base.group_system",
        help="The payer's saved payment method, which pays the invoices of the "
        "automatic renewals. Only the payer sets, replaces or removes it, on the "
        "subscription's portal page or by saving it when paying there.",
    )
    saved_payment_method = fields.Char(
        string="Renewals Paid With",
        compute="_compute_saved_payment_method",
        help="The payer's saved payment method that pays the automatic renewals.",
    )
    card_failure_reason = fields.Char(
        string="Card Payment Failure",
        copy=False,
        readonly=True,
        help="Why the last charge of the saved payment method failed; cleared when "
        "a charge succeeds or the invoice is paid otherwise.",
    )
    card_failure_date = fields.Date(
        string="Card Payment Failed On", copy=False, readonly=True
    )
    card_next_charge_date = fields.Date(
        string="Next Card Payment Try",
        compute="_compute_card_next_charge_date",
        help="When the saved payment method is charged again for the unpaid "
        "invoice; empty when no try is planned (the payment reminders apply).",
    )

    def _compute_saved_payment_method(self):
        for subscription in self:
            token = subscription._saved_token()
            subscription.saved_payment_method = token.display_name if token else False

    def _compute_card_next_charge_date(self):
        periods = (
            self.env["publication.subscription.period"]
            .sudo()
            .search_fetch(
                [
                    ("subscription_id", "in", self.ids),
                    ("card_charge_state", "=", "due"),
                ],
                ["subscription_id", "card_next_charge_date"],
            )
        )
        dates = {}
        for period in periods.filtered("card_next_charge_date"):
            key = period.subscription_id.id
            dates[key] = min(
                dates.get(key, period.card_next_charge_date),
                period.card_next_charge_date,
            )
        for subscription in self:
            subscription.card_next_charge_date = dates.get(subscription.id, False)

    def _saved_token(self):
        """The active saved payment method of the subscription (sudoed)."""
        self.ensure_one()
        token = self.sudo().payment_token_id
        return token if token.active else token.browse()

    def _payment_method_url(self):
        """The page where the payer replaces the saved payment method: their
        subscription's page, behind the login (the link of the failure mail)."""
        self.ensure_one()
        return f"{self.get_base_url()}/my/subscriptions/{self.id}/payment_method"

    def _saved_card_choices(self, partner):
        """The saved payment methods partner may put on the subscription: the
        active tokens of the payer (their company's contacts' too) with a
        provider of the subscription's company that allows saving them."""
        self.ensure_one()
        commercial = self.payer_id.commercial_partner_id
        if partner.commercial_partner_id != commercial:
            return self.env["payment.token"].sudo().browse()
        return (
            self.env["payment.token"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", commercial.id),
                    ("provider_id.allow_tokenization", "=", True),
                    ("provider_id.state", "in", ("enabled", "test")),
                    ("company_id", "=", self.company_id.id),
                ]
            )
        )

    def _portal_set_payment_token(self, partner, token):
        """The payer (partner, logged in) puts token on the subscription, or
        removes the saved method (an empty token). A new method is charged
        at once for an invoice whose card payment failed."""
        self.ensure_one()
        self._portal_check_actor(partner, "payment_method")
        if token and token not in self._saved_card_choices(partner):
            raise UserError(
                self.env._(
                    "Saved Payment Method %(token)s cannot pay %(name)s: it is not "
                    "an active saved payment method of its payer %(payer)s.",
                    token=token.exists().display_name or token.id,
                    name=self.name,
                    payer=self.payer_id.display_name,
                )
            )
        self._set_payment_token(token, partner)

    def _set_payment_token(self, token, partner):
        """Put token (or none) on the subscriptions, said in their chatter
        by partner; the periods still collected by card follow."""
        subscriptions = self.filtered(lambda s: s.sudo().payment_token_id != token)
        if not subscriptions:
            return
        subscriptions.sudo().write({"payment_token_id": token.id})
        for subscription in subscriptions:
            if token:
                body = self.env._(
                    "%(partner)s saved %(method)s to pay the automatic renewals.",
                    partner=partner.display_name,
                    method=token.display_name,
                )
            else:
                body = self.env._(
                    "%(partner)s removed the saved payment method: the renewals are "
                    "invoiced for payment by hand.",
                    partner=partner.display_name,
                )
            subscription.sudo().message_post(body=body)
        periods = (
            self.env["publication.subscription.period"]
            .sudo()
            .search(
                [
                    ("subscription_id", "in", subscriptions.ids),
                    ("card_charge_state", "in", ("due", "failed")),
                    ("payment_state", "in", UNPAID),
                ]
            )
        )
        if token:
            # a new method pays what the old one could not, now
            periods.write(
                {
                    "card_charge_state": "due",
                    "card_next_charge_date": fields.Date.context_today(self),
                }
            )
            if periods:
                self.env.ref(CHARGE_CRON).sudo()._trigger()
        else:
            periods.write({"card_charge_state": False})
            subscriptions._clear_card_failure()

    def _record_card_failure(self, reason):
        self.sudo().write(
            {
                "card_failure_reason": reason,
                "card_failure_date": fields.Date.context_today(self),
            }
        )

    def _clear_card_failure(self):
        failed = self.sudo().filtered("card_failure_reason")
        failed.write({"card_failure_reason": False, "card_failure_date": False})


class PublicationSubscriptionPeriod(models.Model):
    _inherit = "publication.subscription.period"

    card_charge_state = fields.Selection(
        [
            ("due", "To Charge"),
            ("pending", "Charge Pending"),
            ("paid", "Charged"),
            ("failed", "Charges Failed"),
        ],
        string="Card Payment",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Payment of the invoice by the payer's saved payment method: to "
        "charge (on Next Card Try), a charge on its way, charged, or every try "
        "failed (the payment reminders apply). Empty: paid by hand.",
    )
    card_charge_attempts = fields.Integer(
        string="Card Payment Tries", copy=False, readonly=True
    )
    card_next_charge_date = fields.Date(
        string="Next Card Try", copy=False, readonly=True
    )

    # ------------------------------------------------------------------
    # The renewal's hook
    # ------------------------------------------------------------------
    def _charge_saved_methods(self):
        """The invoiced periods of continuous subscriptions with a saved
        payment method are charged by the card charges action, which starts
        at once (after this transaction: an external payment must never be
        rolled back with a failing renewal batch)."""
        periods = self.sudo().filtered(
            lambda p: (
                p.invoice_id.state == "posted"
                and p.payment_state in UNPAID
                and not p.card_charge_state
                and p.subscription_id.renewal_type == "continuous"
                and p.subscription_id._saved_token()
            )
        )
        if not periods:
            return
        periods.write(
            {
                "card_charge_state": "due",
                "card_charge_attempts": 0,
                "card_next_charge_date": fields.Date.context_today(self),
            }
        )
        self.env.ref(CHARGE_CRON).sudo()._trigger()

    # ------------------------------------------------------------------
    # What is due (used by publication.automation._cron_card_charges)
    # ------------------------------------------------------------------
    @api.model
    def _card_settled_domain(self, publications):
        """Periods collected by card whose invoice no longer needs it: paid
        (by the card or otherwise), cancelled, or closed."""
        return Domain(
            [
                ("publication_id", "in", publications.ids),
                ("card_charge_state", "in", ("due", "pending", "failed")),
            ]
        ) & (
            Domain("payment_state", "not in", UNPAID)
            | Domain("subscription_id.state", "not in", OPEN_STATES)
        )

    @api.model
    def _card_pending_domain(self, publications):
        return Domain(
            [
                ("publication_id", "in", publications.ids),
                ("card_charge_state", "=", "pending"),
                ("payment_state", "in", UNPAID),
                ("subscription_id.state", "in", OPEN_STATES),
            ]
        )

    @api.model
    def _card_charge_domain(self, publications, today):
        return Domain(
            [
                ("publication_id", "in", publications.ids),
                ("card_charge_state", "=", "due"),
                ("card_next_charge_date", "<=", today),
                ("payment_state", "in", UNPAID),
                ("subscription_id.state", "in", OPEN_STATES),
            ]
        )

    # ------------------------------------------------------------------
    # Charging
    # ------------------------------------------------------------------
    def _card_settle(self):
        """The invoice was paid, cancelled or the subscription closed: the
        card collection ends, the failure shown on the subscription goes."""
        periods = self.sudo()
        paid = periods.filtered(lambda p: p.payment_state in ("paid", "in_payment"))
        paid.write({"card_charge_state": "paid", "card_next_charge_date": False})
        (periods - paid).write(
            {"card_charge_state": False, "card_next_charge_date": False}
        )
        self.subscription_id._clear_card_failure()

    def _card_follow_pending(self):
        """A charge on its way: done, the invoice is paid (Odoo's post-processing
        reconciles it); failed or cancelled, the failure is recorded; else wait."""
        for period in self.sudo():
            done, on_its_way, failed = period._card_charges()
            if done:
                period._card_charge_succeeded(done)
            elif not on_its_way:
                period._card_charge_failed(
                    failed.state_message
                    or self.env._("The payment provider did not confirm the charge.")
                )

    def _charge_saved_method(self):
        """Charge each period's unpaid invoice with the payer's saved payment
        method, once: never while a charge of the invoice is on its way."""
        for period in self.sudo():
            done, on_its_way, _failed = period._card_charges()
            if done:
                period._card_charge_succeeded(done)
                continue
            if on_its_way:
                period.write({"card_charge_state": "pending"})
                continue
            token = period.subscription_id._saved_token()
            if not token:
                period._card_charge_failed(
                    self.env._("No saved payment method: the payer removed it.")
                )
                continue
            tx = (
                self.env["payment.transaction"]
                .sudo()
                .create(period._prepare_card_transaction(token))
            )
            try:
                tx._charge_with_token()
            except UserError as error:  # the provider is disabled
                tx._set_error(str(error))
            period._card_after_charge(tx)

    def _card_after_charge(self, tx):
        """The outcome of tx, sent to the provider: nothing that fails here
        may undo the record of the charge. The period then stays pending and
        the next run reads the outcome again."""
        self.ensure_one()
        self.write({"card_charge_state": "pending"})
        try:
            with self.env.cr.savepoint():
                if tx.state == "done":
                    self._card_charge_succeeded(tx)
                elif tx.state not in ("pending", "authorized"):
                    self._card_charge_failed(
                        tx.state_message or self.env._("The charge was refused.")
                    )
        except Exception as error:  # noqa: BLE001 - the charge must stay recorded
            _logger.warning(
                "Charge %s of %s recorded, its outcome is read again at the next "
                "run: %s",
                tx.reference,
                self.subscription_id.name,
                error,
            )

    def _card_charges(self):
        """(done, on its way, failed): the last transaction of the period's
        invoice in each of these states, or an empty one. A transaction a
        reader started on the portal and left counts as none."""
        self.ensure_one()
        txs = self.invoice_id.sudo().transaction_ids.sorted("id", reverse=True)
        return (
            txs.filtered(lambda tx: tx.state == "done")[:1],
            txs.filtered(lambda tx: tx.state in ("pending", "authorized"))[:1],
            txs.filtered(lambda tx: tx.state in ("error", "cancel"))[:1],
        )

    def _prepare_card_transaction(self, token):
        """An offline payment of the invoice's residual by token."""
        self.ensure_one()
        invoice = self.invoice_id
        Transaction = self.env["payment.transaction"].sudo()
        invoice_ids = [Command.set(invoice.ids)]
        return {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "reference": Transaction._compute_reference(
                token.provider_id.code, invoice_ids=invoice_ids
            ),
            "amount": invoice.amount_residual,
            "currency_id": invoice.currency_id.id,
            "partner_id": invoice.partner_id.id,
            "token_id": token.id,
            "operation": "offline",
            "invoice_ids": invoice_ids,
        }

    def _card_charge_succeeded(self, tx):
        """Odoo's post-processing pays the invoice (a payment reconciled with
        it); when it fails here, Odoo's own scheduled action does it later."""
        if not tx.is_post_processed:
            try:
                with self.env.cr.savepoint():
                    tx._post_process()
            except Exception as error:  # noqa: BLE001 - Odoo's cron retries it
                _logger.info(
                    "Post-processing of %s deferred to Odoo's cron: %s",
                    tx.reference,
                    error,
                )
        self.write({"card_charge_state": "paid", "card_next_charge_date": False})
        self.subscription_id._clear_card_failure()

    def _card_charge_failed(self, reason):
        """Record why; try again on the next retry day of the publication
        still to come, else leave the invoice to the payment reminders. The
        payer is mailed at the first failure of the period, with the link to
        replace the saved method."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        attempts = self.card_charge_attempts + 1
        due = self.invoice_date_due or today
        retries = [
            due + timedelta(days=day)
            for day in self.publication_id._card_retry_day_list()
        ]
        # the first charge is no retry: attempts - 1 retries are used up
        remaining = [day for day in retries[attempts - 1 :] if day > today]
        self.write(
            {
                "card_charge_attempts": attempts,
                "card_charge_state": "due" if remaining else "failed",
                "card_next_charge_date": remaining[0] if remaining else False,
            }
        )
        subscription = self.subscription_id
        subscription._record_card_failure(reason)
        subscription.message_post(
            body=self.env._(
                "The saved payment method could not pay invoice %(invoice)s: "
                "%(reason)s %(next)s",
                invoice=self.invoice_id.name,
                reason=reason,
                next=self.env._(
                    "It is charged again on %(date)s.",
                    date=self.payer_id._publication_format_date(remaining[0]),
                )
                if remaining
                else self.env._("No more tries: the payment reminders follow."),
            )
        )
        if attempts == 1:
            subscription._post_template(self.env.ref(FAILURE_TEMPLATE))


class PublicationAutomation(models.AbstractModel):
    _inherit = "publication.automation"

    @api.model
    @per_company
    def _cron_card_charges(self):
        """Card payments of the renewals: periods whose invoice got paid or
        closed end their collection, pending charges are followed, due ones
        are charged (one at a time, each committed; with a job runner,
        CHARGE_JOB_SIZE of them a queue job)."""
        today = fields.Date.context_today(self)
        Period = self.env["publication.subscription.period"]
        publications = self._publications()
        return self._run(
            Period,
            [
                (Period._card_settled_domain(publications), "_card_settle", None),
                (
                    Period._card_pending_domain(publications),
                    "_card_follow_pending",
                    None,
                ),
            ],
        ) and self._run(
            Period,
            [
                (
                    Period._card_charge_domain(publications, today),
                    "_charge_saved_method",
                    None,
                )
            ],
            batch_size=CHARGE_BATCH_SIZE,
            job_size=CHARGE_JOB_SIZE,
        )
