from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import format_amount, format_date

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class PublicationPortal(CustomerPortal):
    """The link of renewal, trial and payment reminders (mailed to the payer,
    with the portal token): its holder sees the unpaid invoice, or the offer
    of the subscription (renewal, or the paid offer that follows a trial) and
    accepts it with a button (a POST, so that a mail scanner following the
    link accepts nothing); the button leads to paying the invoice. Nothing
    else: the changes of /my/subscriptions need a login (see
    publication.subscription._portal_check_actor)."""

    @http.route(
        "/publication/renew/<int:subscription_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def publication_renew(self, subscription_id, access_token=None, **kwargs):
        try:
            subscription = self._document_check_access(
                "publication.subscription", subscription_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        partner = self._renewal_actor(subscription)
        if request.httprequest.method == "POST":
            invoice = subscription._invoice_to_pay_online(partner)
        else:
            invoice = subscription._invoice_to_show_online(partner)
        if invoice:
            return request.redirect(invoice.get_portal_url())
        values = self._prepare_portal_layout_values()
        values.update(
            self._subscription_renew_values(subscription, access_token, partner)
        )
        return request.render("publication_crm.portal_subscription_renew", values)

    def _renewal_actor(self, subscription):
        """Who acts on the renewal page: the logged-in user's partner, or for
        a visitor holding the mailed link, the payer it was mailed to."""
        if request.env.user._is_public():
            return subscription.payer_id
        return request.env.user.partner_id

    @http.route(
        "/publication/unsubscribe/<int:subscription_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def publication_unsubscribe(self, subscription_id, token=None, **kwargs):
        """The link of offer mails, with its own token (or the payer logged
        in): GET asks, POST (a button, so that a mail scanner unsubscribes
        nobody) blacklists the payer's address. Nothing else."""
        subscription = (
            request.env["publication.subscription"]
            .sudo()
            .browse(subscription_id)
            .exists()
        )
        if not subscription or not (
            subscription._check_unsubscribe_token(token)
            or self._may_act(subscription, "unsubscribe")
        ):
            return request.redirect("/my")
        done = request.httprequest.method == "POST"
        if done:
            subscription._unsubscribe()
        values = self._prepare_portal_layout_values()
        values.update({"subscription": subscription, "token": token, "done": done})
        return request.render("publication_crm.portal_subscription_unsubscribe", values)

    def _may_act(self, subscription, action):
        """The logged-in user may read subscription and take action on it."""
        return not self._subscription_of_actor(subscription.id, action)[1]

    def _subscription_renew_values(self, subscription, access_token, partner):
        converted = subscription.converted_subscription_id
        return {
            "page_name": "publication_renew",
            "subscription": subscription,
            "offer": subscription._online_offer(partner),
            "is_payer": "payer" in subscription._portal_roles(partner),
            "converted": converted
            if converted and "payer" in converted._portal_roles(partner)
            else converted.browse(),
            "access_token": access_token,
        }

    # ------------------------------------------------------------------
    # /my/subscriptions: the subscriptions a portal user receives or pays
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "subscription_count" in counters:
            Subscription = request.env["publication.subscription"]
            values["subscription_count"] = (
                Subscription.search_count(self._subscriptions_domain())
                if Subscription.has_access("read")
                else 0
            )
        return values

    def _subscriptions_domain(self):
        return request.env["publication.subscription"]._portal_domain(
            request.env.user.partner_id
        )

    @http.route(
        ["/my/subscriptions", "/my/subscriptions/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_subscriptions(self, page=1, **kwargs):
        Subscription = request.env["publication.subscription"]
        domain = self._subscriptions_domain()
        pager = portal_pager(
            url="/my/subscriptions",
            total=Subscription.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        subscriptions = Subscription.search(
            domain, limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_subscriptions_history"] = subscriptions.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "publication_subscriptions",
                "subscriptions": subscriptions.sudo(),
                "pager": pager,
                "default_url": "/my/subscriptions",
            }
        )
        return request.render("publication_crm.portal_my_subscriptions", values)

    @http.route(
        "/my/subscriptions/<int:subscription_id>",
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_subscription(self, subscription_id, access_token=None, **kwargs):
        """The subscription's page: its recipient and payer, logged in, see
        the actions that are theirs; the holder of the mailed link (the portal
        token, not logged in) sees it read-only, with the renewal offer."""
        try:
            subscription = self._document_check_access(
                "publication.subscription", subscription_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._render_subscription(subscription, access_token)

    @http.route(
        "/my/subscriptions/<int:subscription_id>/pause",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_subscription_pause(
        self, subscription_id, date_from=None, date_to=None, **kw
    ):
        def pause(subscription):
            pause = subscription._portal_pause(
                self._portal_date(date_from, request.env._("Pause From")),
                self._portal_date(date_to, request.env._("Pause To")),
            )
            return request.env._(
                "Delivery is paused from %(start)s to %(end)s; your subscription "
                "now ends on %(new_end)s.",
                start=format_date(request.env, pause.date_from),
                end=format_date(request.env, pause.date_to),
                new_end=format_date(request.env, pause.new_date_end),
            )

        return self._subscription_action(subscription_id, "pause", pause)

    @http.route(
        "/my/subscriptions/<int:subscription_id>/address",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_subscription_address(self, subscription_id, date_from=None, **kw):
        def move(subscription):
            date = self._portal_date(date_from, request.env._("Moves On"))
            subscription._portal_change_address(kw, date)
            return request.env._(
                "Your copies go to %(street)s, %(zip)s %(city)s from %(date)s.",
                street=kw.get("street"),
                zip=kw.get("zip"),
                city=kw.get("city"),
                date=format_date(request.env, date),
            )

        return self._subscription_action(subscription_id, "address", move)

    @http.route(
        "/my/subscriptions/<int:subscription_id>/complaint",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_subscription_complaint(
        self, subscription_id, issue_id=None, kind=None, **kw
    ):
        def report(subscription):
            issue = request.env["publication.issue"].sudo().browse(int(issue_id or 0))
            ticket = subscription._portal_report_copy(
                issue, kind, kw.get("description"), request.env.user.partner_id
            )
            if ticket.report_count > 1:
                return request.env._(
                    "You have already reported issue %(issue)s: your message is "
                    "added to complaint %(ticket)s. A missing or damaged copy is "
                    "made good once.",
                    issue=ticket.issue_id.name,
                    ticket=ticket.number,
                )
            answer = request.env._(
                "Thank you: complaint %(ticket)s is registered.", ticket=ticket.number
            )
            if ticket.replacement_ids:
                answer += " " + request.env._("The issue is sent to you again.")
            elif subscription.publication_id.portal_remedy == "extend":
                answer += " " + request.env._(
                    "Your subscription is extended by one issue, to %(end)s.",
                    end=format_date(request.env, subscription.date_end),
                )
            else:
                answer += " " + request.env._("Our subscriber service answers soon.")
            return answer

        return self._subscription_action(subscription_id, "complaint", report)

    @http.route(
        "/my/subscriptions/<int:subscription_id>/cancel",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_subscription_cancel(
        self, subscription_id, outcome=None, churn_reason_id=None, **kw
    ):
        """The retention step, for the payer: GET shows the publication's save
        offers and the reasons; POST cancels or accepts the offer chosen
        (outcome)."""
        if request.httprequest.method == "GET":
            subscription, refusal = self._subscription_of_actor(
                subscription_id, "cancel", f"/my/subscriptions/{subscription_id}/cancel"
            )
            return refusal or self._render_retention(subscription)

        def retain(subscription):
            reasons = subscription._portal_churn_reasons()
            reason = reasons.filtered(lambda r: str(r.id) == str(churn_reason_id))
            values = {"note": kw.get("note")}
            if subscription.state in ("waiting", "active", "suspended") and reason:
                if outcome == "cancelled":
                    values["date_cancel"] = self._portal_date(
                        kw.get("date_cancel"), request.env._("Last Day of Delivery")
                    )
                elif outcome == "pause":
                    values["date_from"] = self._portal_date(
                        kw.get("date_from"), request.env._("Pause From")
                    )
                    values["date_to"] = self._portal_date(
                        kw.get("date_to"), request.env._("Pause To")
                    )
            subscription._retention(outcome, reason, "portal", **values)
            return self._retention_message(subscription, outcome)

        return self._subscription_action(
            subscription_id, "cancel", retain, render=self._render_retention
        )

    @http.route(
        "/my/subscriptions/<int:subscription_id>/decline_price",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_subscription_decline_price(self, subscription_id, **kw):
        """The payer, logged in, declines the new price announced: the
        subscription ends with its term (the cancellation's rules: only its
        payer, not a visitor holding the mailed link)."""

        def decline(subscription):
            subscription._decline_price_change()
            return request.env._(
                "You declined the new price: you receive your copies until "
                "%(date)s, then your subscription ends.",
                date=format_date(request.env, subscription.date_cancel_planned),
            )

        return self._subscription_action(subscription_id, "cancel", decline)

    def _retention_message(self, subscription, outcome):
        if outcome == "cancelled":
            if subscription.date_cancel_planned:
                return request.env._(
                    "Your cancellation is registered: you receive your copies "
                    "until %(date)s.",
                    date=format_date(request.env, subscription.date_cancel_planned),
                )
            return request.env._(
                "Your subscription is cancelled; what was not delivered is credited."
            )
        if outcome == "pause":
            return request.env._(
                "Thank you for staying: delivery pauses; your subscription now ends "
                "on %(end)s.",
                end=format_date(request.env, subscription.date_end),
            )
        return self._kept_message(subscription)

    def _kept_message(self, subscription):
        """The save offer taken: which term it applies to, and its amount
        with and without the offer, in the page's language."""
        env, term = request.env, subscription._next_term()
        currency = subscription.currency_id
        return env._(
            "Thank you for staying: your term from %(start)s to %(end)s costs "
            "%(amount)s instead of %(regular)s.",
            start=format_date(env, term["date_start"]),
            end=format_date(env, term["date_end"]),
            amount=format_amount(env, term["amount"], currency),
            regular=format_amount(env, term["amount_regular"], currency),
        )

    def _render_retention(self, subscription, error=None):
        offers = subscription._retention_offers()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "publication_subscription",
                "subscription": subscription,
                "offers": offers,
                "offer_amounts": {
                    "plan": offers.get("plan")
                    and subscription._next_term_amount(plan=offers["plan"], discount=0),
                    "discount": offers.get("discount")
                    and subscription._next_term_amount(
                        plan=False, discount=offers["discount"]
                    ),
                },
                "next_term": subscription._next_term(),
                "reasons": subscription._portal_churn_reasons(),
                "today": subscription.company_id._publication_today(),
                "error": error,
            }
        )
        return request.render(
            "publication_crm.portal_subscription_cancel",
            values,
            status=400 if error else 200,
        )

    def _portal_date(self, value, label):
        try:
            return fields.Date.to_date(value)
        except ValueError:
            value = False
        if not value:
            raise UserError(request.env._("Give a valid date for %s.", label))
        return value

    def _open_action_section(self, subscription_id, action):
        """A GET of an action's route (a mail's link): the subscription's
        page at the action's section, for the logged-in user who may take it
        (else the login, or /my)."""
        url = f"/my/subscriptions/{subscription_id}"
        _subscription, refusal = self._subscription_of_actor(
            subscription_id, action, f"{url}/{action}"
        )
        return refusal or request.redirect(f"{url}#{action}")

    def _subscription_of_actor(self, subscription_id, action, url=None):
        """(subscription sudoed, None) when the logged-in user may take action
        on it, else (None, the answer): the login page for a visitor (a token
        gives no right to change anything), /my for another user."""
        url = url or f"/my/subscriptions/{subscription_id}"
        if request.env.user._is_public():
            return None, request.redirect_query("/web/login", {"redirect": url})
        try:
            subscription = self._document_check_access(
                "publication.subscription", subscription_id
            )
            subscription._portal_check_actor(request.env.user.partner_id, action)
        except (AccessError, MissingError):
            return None, request.redirect("/my")
        return subscription, None

    def _subscription_action(self, subscription_id, action, run, render=None):
        """Run run(subscription) (sudoed) for the logged-in user who may take
        action (see _subscription_of_actor) in a savepoint: on a refusal
        nothing is written and the page shows why; on success the page shows
        the answer."""
        subscription, refusal = self._subscription_of_actor(subscription_id, action)
        if refusal:
            return refusal
        try:
            with request.env.cr.savepoint():
                message = run(subscription)
        except (UserError, ValidationError) as error:
            render = render or self._render_subscription
            return render(subscription, error=error.args[0])
        request.session["publication_portal_message"] = message
        return request.redirect(f"/my/subscriptions/{subscription.id}")

    def _render_subscription(self, subscription, access_token=None, error=None):
        """The page, with the forms of the actions the logged-in user may take
        (none for a visitor holding the token) and the offer of the renewal
        page for them (for such a visitor: the payer's)."""
        user = request.env.user
        partner = subscription.payer_id if user._is_public() else user.partner_id
        values = self._prepare_portal_layout_values()
        values = self._get_page_view_values(
            subscription, access_token, values, "my_subscriptions_history", False
        )
        date, amount = subscription._portal_next_payment()
        today = fields.Date.context_today(subscription)
        # where the copies go, for its recipient and payer (logged in)
        roles = set() if user._is_public() else subscription._portal_roles(partner)
        delivered = roles and subscription.delivery_method != "digital"
        values.update(
            {
                "page_name": "publication_subscription",
                "subscription": subscription,
                "next_term": (subscription.next_plan_id or subscription.next_discount)
                and subscription._next_term(),
                "delivery_address": delivered and subscription.delivery_address_id,
                "pause_today": delivered
                and subscription.pause_ids.filtered(
                    lambda p: p.date_from <= today <= p.date_to
                )[:1],
                "offer": subscription._online_offer(partner),
                "actions": set()
                if user._is_public()
                else subscription._portal_allowed_actions(partner),
                "access_token": access_token,
                "login_url": user._is_public()
                and f"/web/login?redirect=/my/subscriptions/{subscription.id}",
                "next_payment_date": date,
                "next_payment_amount": amount,
                "issues": subscription._portal_issues(),
                "price_notice": subscription._pending_price_notice(),
                "today": today,
                "error": error,
                "message": request.session.pop("publication_portal_message", None),
            }
        )
        status = 400 if error else 200
        return request.render(
            "publication_crm.portal_my_subscription", values, status=status
        )
