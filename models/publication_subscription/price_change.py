"""Price changes announced in advance (publication.price.change): the notice
to each payer, the payer's answer (decline: cancel at the end of the term;
silence: the renewal charges the new price), and the price of a renewal, which
is never one the payer was not told about in time."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_amount

from .publication_subscription import FREE_ORIGINS, OPEN_STATES

# how many terms ahead a late notice may name the renewal that first charges
MAX_TERMS_AHEAD = 24


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    price_notice_ids = fields.One2many(
        "publication.price.notice",
        "subscription_id",
        string="Price Change Notices",
        groups="base.group_user",
    )

    price_notice_pending = fields.Boolean(
        string="New Price Announced",
        compute="_compute_price_notice_pending",
        help="The payer was told a new price and has not answered; the renewal "
        "it names has not come yet.",
    )

    @api.depends("price_notice_ids.answer", "date_end")
    def _compute_price_notice_pending(self):
        for subscription in self:
            subscription.price_notice_pending = bool(
                subscription.sudo()._pending_price_notice()
            )

    def action_decline_price_change(self):
        """The payer declined the new price by letter or on the phone."""
        for subscription in self:
            subscription._decline_price_change(channel="backoffice")
        return True

    # ------------------------------------------------------------------
    # The notice (publication.automation._cron_renewal_reminders)
    # ------------------------------------------------------------------
    @api.model
    def _price_notice_domain(self, change, today):
        """Running paying subscriptions of change's offer (or moving to it at
        their renewal) whose next renewal falls on or after the change's day,
        before the offer's next change, and within the change's notice days
        from today; not told yet."""
        plan = change.plan_id
        domain = Domain(
            [
                ("company_id", "=", change.company_id.id),
                ("state", "in", OPEN_STATES),
                ("origin", "not in", FREE_ORIGINS),
                ("date_cancel_planned", "=", False),
                ("converted_subscription_id", "=", False),
                # the next renewal starts the day after date_end
                ("date_end", ">=", change.date_effective - timedelta(days=1)),
                ("date_end", "<", today + timedelta(days=change.notice_days)),
                ("price_notice_ids", "not any", [("change_id", "=", change.id)]),
            ]
        ) & (
            Domain(
                [
                    ("plan_id", "=", plan.id),
                    ("next_plan_id", "=", False),
                    ("price_unit", "!=", change.price),
                ]
            )
            | Domain("next_plan_id", "=", plan.id)
        )
        later = change._next_change()
        if later:
            domain &= Domain("date_end", "<", later.date_effective - timedelta(days=1))
        return domain

    def _send_price_notice(self, change):
        """Tell each payer the new price of change and from which renewal it
        applies: an e-mail in the payer's language with the link to decline,
        or for a payer without an e-mail address a letter to print. Each
        notice is logged on the change and in the chatter."""
        today = fields.Date.context_today(self)
        Notice = self.env["publication.price.notice"].sudo()
        Letter = self.env["publication.letter"]
        notices = Notice.create(
            [
                {
                    "change_id": change.id,
                    "subscription_id": subscription.id,
                    "date_sent": today,
                    "date_applies": subscription._price_change_start(
                        today, change.notice_days
                    ),
                    "old_amount": subscription.currency_id.round(
                        subscription._current_term_price() * subscription.quantity
                    ),
                    "amount": subscription.currency_id.round(
                        change.price * subscription.quantity
                    ),
                    "channel": "letter"
                    if Letter._wants_paper(subscription.payer_id)
                    else "mail",
                }
                for subscription in self
            ]
        )
        mailed = notices.filtered(lambda n: n.channel == "mail")
        mailed.with_env(self.env)._post_notice_mails(change.mail_template_id)
        Letter._queue_price_notices(notices - mailed)
        for notice in notices - mailed:
            payer = notice.payer_id
            notice.subscription_id.message_post(
                body=self.env._(
                    "Price change announced by letter (%(payer)s reads no "
                    "e-mail): %(price)s per copy from %(date)s.",
                    payer=payer.display_name,
                    price=format_amount(
                        self.env, change.price, change.currency_id, payer.lang
                    ),
                    date=payer._publication_format_date(notice.date_applies),
                )
            )
        return notices

    def _current_term_price(self):
        """Price per copy the payer pays for a term now: the save offer's, when
        accepted, else the subscription's."""
        self.ensure_one()
        return self.next_plan_id.price if self.next_plan_id else self.price_unit

    def _price_change_start(self, today, notice_days):
        """The first renewal of this subscription at least notice_days after
        today: the next one, or when that is too soon, a later one."""
        self.ensure_one()
        start = self.date_end + timedelta(days=1)
        earliest = today + timedelta(days=notice_days)
        for _term in range(MAX_TERMS_AHEAD):
            if start >= earliest:
                break
            start = self._period_end(start) + timedelta(days=1)
        return start

    # ------------------------------------------------------------------
    # The answer
    # ------------------------------------------------------------------
    def _pending_price_notice(self):
        """The notice of a new price this subscription's payer has not
        answered yet and whose renewal has not come (the latest one)."""
        self.ensure_one()
        return self.price_notice_ids.filtered(
            lambda n: n.answer == "pending" and n.date_applies > self.date_end
        ).sorted("date_sent")[-1:]

    def _decline_price_change(self, channel="portal"):
        """The payer declines the new price: the subscription is cancelled at
        the end of its current term (a cancellation "Too expensive", recorded
        like one taken on the portal), so no renewal charges the new price.
        The answer is logged on the notice and in the chatter."""
        self.ensure_one()
        notice = self._pending_price_notice()
        if not notice:
            raise UserError(
                self.env._(
                    "There is no new price of %(name)s to decline.", name=self.name
                )
            )
        reason = self.env.ref("publication_crm.churn_reason_price")
        self._retention(
            "cancelled",
            reason,
            channel,
            date_cancel=self.date_end,
            note=self.env._(
                "Declined the new price: %(change)s",
                change=notice.change_id.display_name,
            ),
        )
        notice.sudo().write(
            {"answer": "declined", "date_answer": fields.Date.context_today(self)}
        )
        payer = self.payer_id
        self.message_post(
            body=self.env._(
                "The payer declined the new price of %(price)s per copy: the "
                "subscription ends on %(date)s.",
                price=format_amount(
                    self.env, notice.change_id.price, self.currency_id, payer.lang
                ),
                date=payer._publication_format_date(self.date_cancel_planned),
            )
        )
        return notice

    # ------------------------------------------------------------------
    # The renewal (_prepare_period, _invoice_price, _renew)
    # ------------------------------------------------------------------
    def _announced_price_change(self, start, plan=None):
        """(change, notice): the newest change of plan (by default the offer
        of the term starting on start: the save offer's, when accepted) in
        effect by start whose notice reached the payer in time; else empty
        records."""
        self.ensure_one()
        plan = plan or self.next_plan_id or self.plan_id
        changes = plan.price_change_ids.filtered(
            lambda c: c.state != "draft" and c.date_effective <= start
        ).sorted("date_effective", reverse=True)
        notices = self.sudo().price_notice_ids
        for change in changes:
            notice = notices.filtered(lambda n, c=change: n.change_id == c)
            if notice and notice.answer != "declined" and notice._in_time_for(start):
                return change, notice
        return changes.browse(), notices.browse()

    def _next_term_price(self, start=None, plan=None):
        """Price per copy of the term starting on start (by default the next
        one) with plan (by default the save offer accepted; False: this
        subscription's offer): the newest change of that offer announced in
        time; else what the payer pays now (another offer: its price before
        the changes in effect since the current term began, not announced in
        time). A renewal never charges a price not announced."""
        self.ensure_one()
        start = start or self.date_end + timedelta(days=1)
        offer = self.next_plan_id if plan is None else plan
        change, _notice = self._announced_price_change(start, offer or self.plan_id)
        if change:
            return change.price
        if not offer:
            return self.price_unit
        # the offer was taken during the current term: the changes in effect
        # since that term began were not announced to this payer
        since = self._current_period().date_start or self.date_start
        unannounced = offer.price_change_ids.filtered(
            lambda c: c.state != "draft" and since < c.date_effective <= start
        )
        if unannounced:
            return unannounced.sorted("date_effective")[0].old_price
        return offer.price

    def _apply_price_changes(self, periods):
        """After the renewal of periods: a subscription whose new period
        charges an announced price goes on with it as its price per copy, and
        its notice is answered "applied at renewal" (accepted by silence); one
        renewed at its old price because the notice came too late says so."""
        new_price = defaultdict(lambda: self.browse())
        accepted = self.env["publication.price.notice"]
        for period in periods:
            subscription = period.subscription_id
            payer = subscription.payer_id
            change, notice = subscription._announced_price_change(period.date_start)
            if change:
                if subscription.currency_id.compare_amounts(
                    subscription.price_unit, change.price
                ):
                    new_price[change.price] |= subscription
                if notice.answer == "pending":
                    accepted |= notice
                    subscription.message_post(
                        body=self.env._(
                            "Renewed at the new price of %(price)s per copy, "
                            "announced on %(date)s.",
                            price=format_amount(
                                self.env, change.price, change.currency_id, payer.lang
                            ),
                            date=payer._publication_format_date(notice.date_sent),
                        )
                    )
                continue
            late = subscription.sudo().price_notice_ids.filtered(
                lambda n, p=period: (
                    n.answer == "pending" and n.change_id.date_effective <= p.date_start
                )
            )
            if late:
                subscription.message_post(
                    body=self.env._(
                        "Renewed at the old price: the new price was announced "
                        "too late for this renewal; it applies from %(date)s.",
                        date=payer._publication_format_date(
                            min(late.mapped("date_applies"))
                        ),
                    )
                )
        for price, subscriptions in new_price.items():
            subscriptions._write_state({"price_unit": price})
        accepted.sudo().write(
            {
                "answer": "accepted",
                "date_answer": fields.Date.context_today(self),
            }
        )
