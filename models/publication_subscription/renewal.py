"""Renewal of subscriptions: renewals, reminders, offers, their mails and the
errors of the scheduled actions that run them."""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date

from ...wizards.mail_compose_message import OFFER_FOOTER
from .publication_subscription import FREE_ORIGINS, OPEN_STATES

RENEWAL_CALL = "publication_crm.mail_activity_type_renewal_call"
WINBACK_WINDOW_DAYS = 30


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    reminder_days_sent = fields.Integer(
        string="Last Reminder (days before end)",
        copy=False,
        readonly=True,
        help="Days before the end of the most urgent renewal reminder sent for "
        "the current end; 0 when none was sent.",
    )
    renewal_event_ids = fields.One2many(
        "publication.renewal.event", "subscription_id", string="Renewal Events"
    )
    is_trial = fields.Boolean(
        compute="_compute_is_trial",
        help="A free trial: it never renews, its trial offer may convert it to a "
        "paid offer.",
    )
    converted_subscription_id = fields.Many2one(
        "publication.subscription",
        string="Converted To",
        copy=False,
        readonly=True,
        help="The paid subscription that the reader took at the end of this trial, "
        "or at their own cost after this gift.",
    )
    automation_error = fields.Text(
        groups="base.group_user",
        help="Why the last scheduled renewal step failed; cleared when it succeeds.",
    )

    @api.depends("origin", "plan_id.is_trial")
    def _compute_is_trial(self):
        for subscription in self:
            subscription.is_trial = (
                subscription.origin == "trial" or subscription.plan_id.is_trial
            )

    @api.constrains("date_start", "date_end", "gift_subscription_id")
    def _check_gift_conversion_dates(self):
        """The reader's own subscription starts after the last delivery of the
        gift it follows: the gift's end may not move past it either."""
        own = self.filtered("gift_subscription_id") | self.converted_subscription_id
        for subscription in own.filtered("gift_subscription_id"):
            gift = subscription.gift_subscription_id
            if subscription.date_start <= gift._last_delivery_day():
                raise ValidationError(
                    self.env._(
                        "%(name)s starts on %(start)s, but gift %(gift)s, which it "
                        "follows, is delivered until %(end)s.",
                        name=subscription.name,
                        start=format_date(self.env, subscription.date_start),
                        gift=gift.name,
                        end=format_date(self.env, gift._last_delivery_day()),
                    )
                )

    def _last_delivery_day(self):
        self.ensure_one()
        return self.date_cancel_planned or self.date_end

    # ------------------------------------------------------------------
    # The renewal page (controllers/portal.py)
    # ------------------------------------------------------------------
    def _renewal_url(self):
        """The renewal page with the portal token, the link of the mails to
        the payer: its holder sees the offer, renews and pays, as the payer."""
        self.ensure_one()
        return (
            f"{self.get_base_url()}/publication/renew/{self.id}"
            f"?access_token={self._portal_ensure_token()}"
        )

    def _invoice_to_show_online(self, partner=None):
        """The invoice the page's link opens instead of the page: the unpaid one
        of an open subscription, for its payer (partner, the payer when not
        given). A closed one never leads to an old invoice."""
        self.ensure_one()
        if self.state not in OPEN_STATES or (
            partner and "payer" not in self._portal_roles(partner)
        ):
            return self.env["account.move"]
        return self._unpaid_invoice()

    def _invoice_to_pay_online(self, partner=None):
        """The invoice the page's button leads to for partner (the payer when
        not given: the mailed link's holder): the payer's unpaid one, or that
        of the renewal or trial conversion the button accepts, once; the
        reader's of the subscription of their own that continues a gift. That
        of the subscription a trial or gift was converted to, for its payer."""
        self.ensure_one()
        # wait for a concurrent acceptance of the same offer (a double click)
        # and read what it did: the second one then finds the first's invoice
        self.env["publication.automation"]._lock(self, self.ids, wait=True)
        partner = partner or self.payer_id
        no_invoice = self.env["account.move"]
        if self.converted_subscription_id:
            converted = self.converted_subscription_id
            if "payer" in converted._portal_roles(partner):
                return converted._invoice_to_show_online()
            return no_invoice
        offer = self._online_offer(partner)
        if offer == "gift_conversion":
            return self.sudo()._convert_gift()._unpaid_invoice()
        unpaid = self._invoice_to_show_online(partner)
        if unpaid or not offer:
            return unpaid
        if offer == "conversion":
            return self.sudo()._convert_trial()._unpaid_invoice()
        return self.sudo()._renew().invoice_id

    def _online_offer(self, partner=None):
        """What the page offers partner (the payer when not given): to the
        payer "renewal" of a paying subscription whose current period has
        begun, "conversion" to the paid offer of a trial that has come to its
        end; to the reader of a gift or sponsored copy "gift_conversion", a
        subscription of their own after it; else False."""
        self.ensure_one()
        roles = self._portal_roles(partner or self.payer_id)
        if "payer" not in roles:
            if "recipient" in roles and self._gift_convertible():
                return "gift_conversion"
            return False
        if self._renewable_online():
            return "renewal"
        if self._convertible_online():
            return "conversion"
        return False

    def _renewable_online(self):
        """A paying subscriber may renew from the link, once per period;
        trials, member copies and free copies renew with a person, a gift its
        reader went on from does not renew."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return (
            self.state in ("active", "suspended")
            and not self.date_cancel_planned
            and not self.converted_subscription_id
            and not self._is_free()
            and self.amount
            and self._current_period().date_start <= today
        )

    def _convertible_online(self):
        """A trial open on its last day or after, whose offer converts to a
        paid one."""
        self.ensure_one()
        return (
            self.state in OPEN_STATES
            and self.plan_id.is_trial
            and self.plan_id.conversion_plan_id
            and self.date_end <= fields.Date.context_today(self)
        )

    # ------------------------------------------------------------------
    # Renewal
    # ------------------------------------------------------------------
    def action_renew(self):
        """Renew now: the next period and its invoice (for a fixed term, when
        the subscriber accepts the renewal offer)."""
        self._renew()
        return True

    def _raise_if_not_renewable(self, action):
        """Renewing needs a delivered, paid for subscription: not a closed one,
        not one awaiting payment, not a trial (it converts instead)."""
        states = dict(self._fields["state"].selection)
        for subscription in self:
            if subscription.is_trial:
                raise UserError(
                    self.env._(
                        "%(action)s is refused for %(name)s: it is a trial, which "
                        "never renews; its reader subscribes to a paid offer.",
                        action=action,
                        name=subscription.name,
                    )
                )
            if subscription.converted_subscription_id:
                raise UserError(
                    self.env._(
                        "%(action)s is refused for %(name)s: its reader goes on "
                        "with %(other)s.",
                        action=action,
                        name=subscription.name,
                        other=subscription.converted_subscription_id.name,
                    )
                )
            if subscription.date_cancel_planned:
                raise UserError(
                    self.env._(
                        "%(action)s is refused for %(name)s: its cancellation is "
                        "planned on %(date)s.",
                        action=action,
                        name=subscription.name,
                        date=format_date(self.env, subscription.date_cancel_planned),
                    )
                )
            if subscription.state not in ("active", "suspended"):
                raise UserError(
                    self.env._(
                        "%(action)s is refused for %(name)s: it is %(state)s; only "
                        "active or suspended subscriptions renew.",
                        action=action,
                        name=subscription.name,
                        state=states[subscription.state],
                    )
                )

    def _renew(self):
        """Open the next period of each subscription whose current period has
        started, invoice it and move the end; the copies planned and the save
        offer accepted for the next term come with it. Returns the new
        periods."""
        self._raise_if_not_renewable(self.env._("Renewal"))
        today = fields.Date.context_today(self)
        self.period_ids.fetch(["date_start"])  # one query, not one per subscription
        due = self.filtered(lambda s: s._current_period().date_start <= today)
        periods = due._create_periods(
            [s._prepare_period(s.date_end + timedelta(days=1)) for s in due]
        )
        periods.filtered("amount")._create_invoices()
        periods._charge_saved_methods()
        for date_end, renewed in periods.grouped("date_end").items():
            renewed.subscription_id._write_state(
                {"date_end": date_end, "reminder_days_sent": 0}
            )
        self.env["publication.renewal.event"].sudo().create(
            [
                {
                    "subscription_id": period.subscription_id.id,
                    "period_id": period.id,
                    "kind": "renewal",
                    "invoice_id": period.invoice_id.id,
                }
                for period in periods
            ]
        )
        renewed = periods.subscription_id
        renewed._plan_copies_on(periods)
        renewed._use_save_offers()
        renewed._apply_price_changes(periods)
        return periods

    def _current_period(self):
        self.ensure_one()
        return self.period_ids.sorted("date_start")[-1:]

    def action_switch_to_continuous(self):
        """One click: renew automatically from now on."""
        self._raise_if_not_renewable(self.env._("Switching to continuous"))
        fixed = self.filtered(lambda s: s.renewal_type == "fixed")
        fixed.renewal_type = "continuous"
        for subscription in fixed:
            subscription.message_post(
                body=self.env._(
                    "Switched to continuous: the subscription renews automatically "
                    "on %(date)s.",
                    date=subscription.payer_id._publication_format_date(
                        subscription.date_end + timedelta(days=1)
                    ),
                )
            )
        return True

    def _expire(self):
        """Close subscriptions whose end passed without a paid renewal."""
        not_renewed = self.env.ref("publication_crm.churn_reason_not_renewed")
        never_delivered = self.filtered(lambda s: s.state == "waiting")
        never_delivered.period_ids._credit_after(
            fields.Date.context_today(self),
            ref=self.env._("Expired unpaid, never delivered"),
        )
        self._write_state({"state": "expired", "churn_reason_id": not_renewed.id})
        self._log_events("expiry")

    # ------------------------------------------------------------------
    # Reminders and offers
    # ------------------------------------------------------------------
    def _send_renewal_reminder(self, step):
        """Send step's e-mail, or ask the salesperson to call sponsors and key
        accounts, and remember that step was sent for the current term."""
        personal = self.filtered(lambda s: s._needs_personal_follow_up())
        (self - personal)._post_template(step.mail_template_id)
        personal._schedule_follow_up()
        (self - personal)._log_events("reminder", step)
        personal._log_events("staff", step)
        self._write_state({"reminder_days_sent": step.days})

    def _needs_personal_follow_up(self):
        """Sponsors and key accounts renew with a person, not an e-mail."""
        self.ensure_one()
        return self.origin == "sponsored" or self.payer_id.publication_key_account

    def _schedule_follow_up(self):
        """One renewal call per payer and end date for the salesperson."""
        call_type = self.env.ref(RENEWAL_CALL)
        for (payer, date_end), subscriptions in self.grouped(
            lambda s: (s.payer_id, s.date_end)
        ).items():
            if subscriptions.activity_ids.filtered(
                lambda a, date_end=date_end: (
                    a.activity_type_id == call_type and a.date_deadline == date_end
                )
            ):
                continue
            first = subscriptions[0]
            user = first.user_id or self.env.user
            first.activity_schedule(
                RENEWAL_CALL,
                date_deadline=date_end,
                summary=self.env._(
                    "Renewal: %(count)s subscription(s) of %(payer)s end on %(date)s",
                    count=len(subscriptions),
                    payer=payer.display_name,
                    date=user.partner_id._publication_format_date(date_end),
                ),
                note=Markup("<p>%s</p>") % ", ".join(subscriptions.mapped("name")),
                user_id=user.id,
            )

    def _send_continuous_offer(self):
        for publication, subscriptions in self.grouped("publication_id").items():
            subscriptions._post_template(
                publication.conversion_template_id, marketing=True, mass=True
            )
        self._log_events("conversion")

    def _send_trial_offer(self):
        """At the end of a trial, offer the paid offer its trial offer converts to."""
        for plan, subscriptions in self.grouped("plan_id").items():
            subscriptions._post_template(
                plan.conversion_template_id, marketing=True, mass=True
            )
        self._log_events("trial_offer")

    def _convert_trial(self):
        """The reader accepts the paid offer at the end of a trial: the trial
        closes, a paid subscription on the trial offer's Converts To starts the
        day after it (or today, when accepted later) and is invoiced. Returns
        the paid subscriptions."""
        not_convertible = self.filtered(lambda s: not s._convertible_online())
        if not_convertible:
            raise UserError(
                self.env._(
                    "Only a trial that reached its end and whose offer converts to "
                    "a paid one can be converted: %(names)s.",
                    names=", ".join(not_convertible.mapped("name")),
                )
            )
        today = fields.Date.context_today(self)
        self._write_state({"state": "expired"})
        paid = self.create([trial._prepare_conversion(today) for trial in self])
        paid.action_confirm()
        self._continue_with(
            paid,
            "trial_conversion",
            lambda subscription: self.env._(
                "Trial converted: the reader goes on with %(subscription)s "
                "(%(plan)s) from %(date)s.",
                subscription=subscription.name,
                plan=subscription.plan_id.name,
                date=subscription.payer_id._publication_format_date(
                    subscription.date_start
                ),
            ),
        )
        return paid

    def _continue_with(self, successors, kind, message):
        """Link each of self to the paid subscription that continues it
        (successors, in the same order): the link, message(successor) in its
        chatter and a renewal event of kind with the successor's invoice."""
        events = []
        for old, new in zip(self, successors, strict=True):
            old._write_state({"converted_subscription_id": new.id})
            old.message_post(body=message(new))
            events.append(
                {
                    "subscription_id": old.id,
                    "period_id": old._current_period().id,
                    "kind": kind,
                    "invoice_id": new.period_ids.invoice_id.id,
                }
            )
        self.env["publication.renewal.event"].sudo().create(events)

    def _prepare_conversion(self, today):
        """The paid subscription that continues this trial."""
        self.ensure_one()
        return {
            "recipient_id": self.recipient_id.id,
            "payer_id": self.payer_id.id,
            "delivery_address_id": self.delivery_address_id.id,
            "publication_id": self.publication_id.id,
            "plan_id": self.plan_id.conversion_plan_id.id,
            "quantity": self.quantity,
            "origin": "gift" if self.is_gift else "new",
            "user_id": self.user_id.id,
            "date_start": max(self.date_end + timedelta(days=1), today),
        }

    def _gift_convertible(self):
        """An open fixed-term gift or sponsored copy (paid by another
        customer), not yet continued by its reader, whose offer (that of a
        trial: the paid one it converts to) has a price."""
        self.ensure_one()
        return (
            self.state in OPEN_STATES
            and self.recipient_id.commercial_partner_id
            != self.payer_id.commercial_partner_id
            and self.renewal_type == "fixed"
            and not self.converted_subscription_id
            and self._gift_conversion_plan().price > 0
        )

    def _gift_conversion_plan(self):
        self.ensure_one()
        if self.plan_id.is_trial:
            return self.plan_id.conversion_plan_id
        return self.plan_id

    def _gift_conversion_start(self):
        """The day after the gift's last delivery, or today."""
        self.ensure_one()
        return max(
            self._last_delivery_day() + timedelta(days=1),
            fields.Date.context_today(self),
        )

    def _convert_gift(self):
        """The reader of a gift or sponsored copy goes on at their own cost: a
        subscription of their own (payer = recipient = the reader) to the same
        publication and offer, from the day after the gift's last delivery,
        linked to the gift, confirmed and invoiced to the reader; a gift
        conversion in the renewal figures. Returns the new subscriptions."""
        not_convertible = self.filtered(lambda s: not s._gift_convertible())
        if not_convertible:
            raise UserError(
                self.env._(
                    "Only an open fixed-term gift or sponsored copy with a paid "
                    "offer, not yet continued, goes on at its reader's cost: "
                    "%(names)s.",
                    names=", ".join(not_convertible.mapped("name")),
                )
            )
        own = self.create([gift._prepare_gift_conversion() for gift in self])
        own.action_confirm()
        self._continue_with(
            own,
            "gift_conversion",
            lambda subscription: self.env._(
                "The reader goes on at their own cost with %(subscription)s "
                "(%(plan)s) from %(date)s.",
                subscription=subscription.name,
                plan=subscription.plan_id.name,
                date=subscription.payer_id._publication_format_date(
                    subscription.date_start
                ),
            ),
        )
        return own

    def _prepare_gift_conversion(self):
        """The reader's own subscription that continues this gift."""
        self.ensure_one()
        return {
            "recipient_id": self.recipient_id.id,
            "payer_id": self.recipient_id.id,
            "delivery_address_id": self.delivery_address_id.id,
            "publication_id": self.publication_id.id,
            "plan_id": self._gift_conversion_plan().id,
            "quantity": self.quantity,
            "origin": "new",
            "user_id": self.user_id.id,
            "date_start": self._gift_conversion_start(),
            "gift_subscription_id": self.id,
        }

    def _send_winback_offer(self):
        """Offer to come back, unless the reader already did."""
        back = self._with_open_subscription_elsewhere()
        for publication, subscriptions in (
            (self - back).grouped("publication_id").items()
        ):
            subscriptions._post_template(
                publication.winback_template_id, marketing=True, mass=True
            )
        self._log_events("winback")

    def _with_open_subscription_elsewhere(self):
        others = self.search(
            [
                ("id", "not in", self.ids),
                ("state", "in", OPEN_STATES),
                ("recipient_id", "in", self.recipient_id.ids),
            ]
        )
        open_keys = {(s.recipient_id, s.publication_id) for s in others}
        return self.filtered(lambda s: (s.recipient_id, s.publication_id) in open_keys)

    def _post_template(self, template, marketing=False, attachments=None, mass=False):
        """Post template on each subscription's chatter for its payer, from
        the publisher and in the payer's language; the e-mails go out through
        the mail queue, after the commit. A marketing mail skips blacklisted
        payers and carries an unsubscribe link.

        mass (a mail without attachments: the offers, the notices of returned
        debits): the e-mails are made for the whole batch at once by a mass
        mode composer, each kept on its subscription's chatter, instead of a
        message posted and notified one at a time (twice as long)."""
        if not self or not template:
            return
        subscriptions = self.with_context(mail_notify_force_send=False)
        if marketing:
            subscriptions -= subscriptions._blacklisted()
        if mass and not attachments:
            composer = self.env["mail.compose.message"].with_context(
                **{OFFER_FOOTER: marketing}
            )
            for company, company_subscriptions in subscriptions.grouped(
                "company_id"
            ).items():
                composer.create(
                    company_subscriptions._prepare_mass_mail_composer(template, company)
                )._action_send_mail()
            return
        rendered = template._generate_template(
            subscriptions.ids, ("subject", "body_html")
        )
        senders = subscriptions._publisher_senders()
        for subscription in subscriptions:
            body = rendered[subscription.id]["body_html"]
            if marketing:
                body = Markup(body) + subscription._unsubscribe_footer()
            subscription.message_post(
                body=body,
                subject=rendered[subscription.id]["subject"],
                partner_ids=subscription.payer_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
                attachments=attachments or [],
                **senders[subscription.id],
            )

    def _prepare_mass_mail_composer(self, template, company):
        """The mass mode composer of template's mails to the payers of self
        (subscriptions of company), from the publisher: queued, each kept on
        its subscription's chatter, to blacklisted addresses too (a service
        mail)."""
        return {
            "composition_mode": "mass_mail",
            "model": self._name,
            "res_ids": str(self.ids),
            "template_id": template.id,
            # the composer computes the sender with the author: given the
            # author, it needs the sender too (else it stays empty)
            "email_from": template.email_from,
            "author_id": company.partner_id.id,
            "email_layout_xmlid": "mail.mail_notification_light",
            "auto_delete": True,
            "auto_delete_keep_log": True,
            "force_send": False,
            "use_exclusion_list": False,
        }

    def _log_events(self, kind, step=None):
        self.env["publication.renewal.event"].sudo().create(
            [
                {
                    "subscription_id": subscription.id,
                    "period_id": subscription._current_period().id,
                    "step_id": step.id if step else False,
                    "kind": kind,
                }
                for subscription in self
            ]
        )

    # ------------------------------------------------------------------
    # What is due (used by publication.automation)
    # ------------------------------------------------------------------
    @api.model
    def _renewal_reminder_domain(self, step, today):
        return Domain(
            [
                ("publication_id", "=", step.publication_id.id),
                ("state", "in", ("active", "suspended")),
                ("renewal_type", "=", "fixed"),
                ("origin", "not in", FREE_ORIGINS),
                ("plan_id.is_trial", "=", False),
                ("amount", ">", 0),
                ("date_cancel_planned", "=", False),
                ("converted_subscription_id", "=", False),
                ("date_end", ">=", today),
                ("date_end", "<=", today + timedelta(days=step.days)),
                "|",
                ("reminder_days_sent", "=", 0),
                ("reminder_days_sent", ">", step.days),
            ]
        )

    @api.model
    def _continuous_offer_domain(self, publications, today):
        publications = publications.filtered("conversion_template_id")
        return Domain(
            [
                ("state", "=", "active"),
                ("renewal_type", "=", "fixed"),
                ("plan_id.offer_continuous", "=", True),
                ("date_cancel_planned", "=", False),
                ("converted_subscription_id", "=", False),
                ("date_end", ">=", today),
                ("renewal_event_ids", "not any", [("kind", "=", "conversion")]),
            ]
        ) & self.env["publication.automation"]._cutoff_domain(
            publications,
            "date_end",
            lambda p: today + timedelta(days=p.renewal_notice_days),
        )

    @api.model
    def _trial_offer_domain(self, publications, today):
        """Open trials on their last day or after, whose offer converts to a
        paid one, not offered yet."""
        return Domain(
            [
                ("publication_id", "in", publications.ids),
                ("state", "in", OPEN_STATES),
                ("plan_id.is_trial", "=", True),
                ("plan_id.conversion_plan_id", "!=", False),
                ("plan_id.conversion_template_id", "!=", False),
                ("date_end", "<=", today),
                ("renewal_event_ids", "not any", [("kind", "=", "trial_offer")]),
            ]
        )

    @api.model
    def _auto_renewal_domain(self, publications, today):
        """Active continuous subscriptions due; never a trial."""
        return Domain(
            [
                ("state", "=", "active"),
                ("renewal_type", "=", "continuous"),
                ("origin", "!=", "trial"),
                ("plan_id.is_trial", "=", False),
                ("date_cancel_planned", "=", False),
            ]
        ) & self.env["publication.automation"]._cutoff_domain(
            publications,
            "date_end",
            lambda p: today + timedelta(days=p.renewal_lead_days),
        )

    @api.model
    def _expiry_domain(self, publications, today):
        """Open subscriptions past their end and grace, except active
        continuous ones: those are renewed (a failing renewal shows in Renewal
        Failures, it does not churn a paying subscriber). Trials never renew."""
        return (
            Domain("state", "in", OPEN_STATES)
            & ~(
                Domain("state", "=", "active")
                & Domain("renewal_type", "=", "continuous")
                & Domain("origin", "!=", "trial")
                & Domain("plan_id.is_trial", "=", False)
            )
        ) & self.env["publication.automation"]._cutoff_domain(
            publications,
            "date_end",
            lambda p: today - timedelta(days=p.expiry_grace_days + 1),
        )

    @api.model
    def _winback_domain(self, publications, today):
        """Expired since the publication's win-back delay, but not so long ago
        that the offer would come out of the blue."""
        return Domain(
            [
                ("state", "=", "expired"),
                ("renewal_event_ids", "not any", [("kind", "=", "winback")]),
            ]
        ) & Domain.OR(
            [
                Domain("publication_id", "=", publication.id)
                & Domain("date_end", "<=", today - timedelta(publication.winback_days))
                & Domain(
                    "date_end",
                    ">",
                    today - timedelta(publication.winback_days + WINBACK_WINDOW_DAYS),
                )
                for publication in publications
            ]
        )

    # ------------------------------------------------------------------
    # Failures of the automation
    # ------------------------------------------------------------------
    def _automation_failure_summary(self):
        return self.env._("Renewal automation failed")
