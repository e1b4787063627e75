"""Cancellation with a retention step: the publication's save offers (a pause,
a cheaper or digital offer, a discount on the next term), the reason, and the
outcome recorded as a publication.retention.attempt."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

# churn reasons the add-on sets itself, not offered to readers
SYSTEM_REASONS = (
    "publication_crm.churn_reason_not_renewed",
    "publication_crm.churn_reason_unpaid",
)


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    next_plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Next Term's Offer",
        readonly=True,
        help="Offer accepted instead of a cancellation: the next term is invoiced "
        "and delivered with it.",
    )
    next_discount = fields.Float(
        string="Next Term's Discount (%)",
        readonly=True,
        help="Discount accepted instead of a cancellation, on the next term only.",
    )
    next_amount = fields.Monetary(
        string="Next Term's Amount",
        compute="_compute_next_amount",
        help="What the next term costs, with the save offer accepted.",
    )
    retention_attempt_ids = fields.One2many(
        "publication.retention.attempt", "subscription_id", groups="base.group_user"
    )

    @api.depends(
        "next_plan_id",
        "next_discount",
        "price_unit",
        "quantity",
        "date_end",
        "price_notice_ids.answer",
    )
    def _compute_next_amount(self):
        for subscription in self:
            subscription.next_amount = subscription._next_term_amount()

    def _retention_offers(self):
        """The publication's save offers that fit this subscription:
        {"pause": True, "plan": plan, "discount": percent}."""
        self.ensure_one()
        publication = self.publication_id
        offers = {}
        if publication.retention_pause:
            offers["pause"] = True
        if self._is_free() or not self.amount:
            return offers
        plan = publication.retention_plan_id
        same_term = (plan.term_unit, plan.term_length) == (
            self.plan_id.term_unit,
            self.plan_id.term_length,
        )
        if (
            plan
            and plan != self.plan_id
            and same_term
            and (plan.price < self.price_unit or plan.channel == "digital")
        ):
            offers["plan"] = plan
        if publication.retention_discount:
            offers["discount"] = publication.retention_discount
        return offers

    def _portal_churn_reasons(self):
        system = [self.env.ref(x, raise_if_not_found=False) for x in SYSTEM_REASONS]
        return self.env["publication.churn.reason"].search(
            [("id", "not in", [r.id for r in system if r])]
        )

    def _retention(self, outcome, reason, channel, **kw):
        """Cancel (outcome "cancelled", kw date_cancel) or accept a save offer
        (pause with kw date_from and date_to; plan; discount) and record the
        attempt. Refused for a closed subscription, without reason, with a
        day in the past (on the portal) or an offer not made."""
        self.ensure_one()
        self._raise_if_not_open(self.env._("Cancelling"))
        if self.date_cancel_planned:
            raise UserError(
                self.env._(
                    "%(name)s is already to be cancelled on %(date)s.",
                    name=self.name,
                    date=format_date(self.env, self.date_cancel_planned),
                )
            )
        if not reason:
            raise UserError(
                self.env._("Give a churn reason (why you cancel) to go on.")
            )
        offers = self._retention_offers()
        today = self.company_id._publication_today()
        if outcome == "cancelled":
            date_cancel = kw["date_cancel"]
            if channel == "portal" and date_cancel < today:
                raise UserError(
                    self.env._(
                        "Last Day of Delivery (%(date)s) is in the past; give "
                        "today or a later day.",
                        date=format_date(self.env, date_cancel),
                    )
                )
            self._cancel(date_cancel, reason, kw.get("note"))
        elif outcome not in offers:
            raise UserError(
                self.env._(
                    "%(offer)s is not a save offer of %(name)s.",
                    offer=outcome,
                    name=self.name,
                )
            )
        elif outcome == "pause":
            if channel == "portal":
                self._portal_pause(kw["date_from"], kw["date_to"])
            else:
                self._pause(kw["date_from"], kw["date_to"], reason.name)
        else:
            self._accept_save_offer(outcome, offers[outcome])
        return self._log_retention(outcome, reason, channel, offers, kw.get("note"))

    def _accept_save_offer(self, outcome, offer):
        """The next term with the offer (a plan) or discount (a percent)."""
        if outcome == "plan":
            self._write_state({"next_plan_id": offer.id})
            text = self.env._(
                "Kept instead of cancelled: from %(date)s the offer is %(plan)s.",
                date=self.payer_id._publication_format_date(
                    self.date_end + timedelta(days=1)
                ),
                plan=offer.name,
            )
        else:
            self._write_state({"next_discount": offer})
            text = self.env._(
                "Kept instead of cancelled: %(discount)s%% off the next term.",
                discount=offer,
            )
        self.message_post(body=text)

    def _log_retention(self, outcome, reason, channel, offers=None, note=False):
        """Record each subscription's attempt with the save offers shown:
        offers, or by default each subscription's own (_retention_offers), as
        the retention step shows them."""
        Attempt = self.env["publication.retention.attempt"].sudo()
        vals_list = []
        for subscription in self:
            shown = subscription._retention_offers() if offers is None else offers
            vals_list.append(
                {
                    "subscription_id": subscription.id,
                    "date": subscription.company_id._publication_today(),
                    "channel": channel,
                    "churn_reason_id": reason.id,
                    "note": note,
                    "offered_pause": bool(shown.get("pause")),
                    "offered_plan_id": shown.get("plan", Attempt.browse()).id,
                    "offered_discount": shown.get("discount", 0.0),
                    "outcome": outcome,
                }
            )
        return Attempt.create(vals_list)

    def _next_term_amount(self, quantity=None, plan=None, discount=None, start=None):
        """The amount of the term starting on start (by default the day after
        the end): with the save offer accepted (next_plan_id, next_discount),
        or with plan (False: this offer's) and discount when given; at the
        price announced in time for it (_next_term_price)."""
        self.ensure_one()
        if self._is_free():
            return 0.0
        quantity = self.quantity if quantity is None else quantity
        discount = self.next_discount if discount is None else discount
        term_plan = (self.next_plan_id if plan is None else plan) or self.plan_id
        price = self._next_term_price(start, plan) + self._term_addon_price(term_plan)
        return self.currency_id.round(price * quantity * (100.0 - discount) / 100.0)

    def _next_term(self):
        """The term after the current end, as the reader is told of it: its
        first and last day, its amount with the save offer accepted and its
        amount without (amount_regular)."""
        self.ensure_one()
        start = self.date_end + timedelta(days=1)
        return {
            "date_start": start,
            "date_end": self._next_period_end(start),
            "amount": self._next_term_amount(),
            "amount_regular": self._next_term_amount(plan=False, discount=0.0),
        }

    def _invoice_price(self, period):
        """(price per copy, discount %) of period's invoice line: a renewal
        period carries the save offer accepted for it and the new price
        announced for it in time (_next_term_price)."""
        self.ensure_one()
        if period.date_start != self.date_start and not self._is_free():
            return self._next_term_price(period.date_start), self.next_discount
        return self.price_unit, 0.0

    def _use_save_offers(self):
        """Renewed: these subscriptions move to the next term's offer and use
        up its discount."""
        for plan, subscriptions in self.grouped("next_plan_id").items():
            if plan:
                subscriptions._write_state({"plan_id": plan.id})
        self.filtered(lambda s: s.next_plan_id or s.next_discount)._write_state(
            {"next_plan_id": False, "next_discount": 0.0}
        )
