"""The subscriber's self-service on the portal (/my/subscriptions): what a
portal user sees, who may do what there, and the actions they take with the
back office's business methods and a few rules of their own (notice, pauses
per year)."""

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import format_date

from .publication_subscription import OPEN_STATES

# complaint categories a reader picks on the portal
PORTAL_COMPLAINTS = {
    "missed": "publication_crm.complaint_category_missed_copy",
    "damaged": "publication_crm.complaint_category_damaged_copy",
}

# who may take each action on the portal: the recipient's side acts on the
# deliveries, the payer's on the money and the contract
PORTAL_ACTORS = {
    "address": "recipient",
    "pause": "recipient",
    "complaint": "recipient",
    "cancel": "payer",
    "renew": "payer",
    "unsubscribe": "payer",
    "payment_method": "payer",
    "direct_debit": "payer",
    "seats": "payer",
}


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    def _compute_access_url(self):
        for subscription in self:
            subscription.access_url = f"/my/subscriptions/{subscription.id}"

    def _portal_roles(self, partner):
        """What partner is to the subscription, by commercial partner (a
        company's contacts act for it): {"recipient", "payer"}, one or none."""
        self.ensure_one()
        commercial = partner.commercial_partner_id
        return {
            role
            for role, other in (
                ("recipient", self.recipient_id),
                ("payer", self.payer_id),
            )
            if commercial and other.commercial_partner_id == commercial
        }

    def _portal_allowed_actions(self, partner):
        """The actions of PORTAL_ACTORS that partner may take."""
        roles = self._portal_roles(partner)
        return {action for action, role in PORTAL_ACTORS.items() if role in roles}

    def _portal_check_actor(self, partner, action):
        """Refuse (AccessError) action to a partner who is not the side it
        belongs to: the recipient changes the address, pauses and complains,
        the payer renews, cancels and unsubscribes."""
        self.ensure_one()
        if action not in self._portal_allowed_actions(partner):
            raise AccessError(
                self.env._(
                    "%(action)s is refused for %(name)s: only its %(role)s may, "
                    "and %(partner)s is not.",
                    action=self._portal_action_label(action),
                    name=self.name,
                    role=self.env._("recipient")
                    if PORTAL_ACTORS[action] == "recipient"
                    else self.env._("payer"),
                    partner=partner.display_name,
                )
            )

    def _portal_action_label(self, action):
        return {
            "address": self.env._("Changing the delivery address"),
            "pause": self.env._("Pausing"),
            "complaint": self.env._("Reporting a copy"),
            "cancel": self.env._("Cancelling"),
            "renew": self.env._("Renewing"),
            "unsubscribe": self.env._("Unsubscribing from offers"),
            "payment_method": self.env._("Changing the saved payment method"),
            "direct_debit": self.env._("Paying by direct debit"),
            "seats": self.env._("Giving digital seats"),
        }[action]

    def _portal_domain(self, partner):
        """Subscriptions a portal partner receives or pays for (their company's
        too), drafts left out."""
        commercial = partner.commercial_partner_id
        return [
            ("state", "!=", "draft"),
            "|",
            ("recipient_id", "child_of", commercial.id),
            ("payer_id", "child_of", commercial.id),
        ]

    def _portal_next_payment(self):
        """(date, amount) the payer pays next: the unpaid invoice, else the
        next term of an open subscription that renews; else (False, 0)."""
        self.ensure_one()
        invoice = self._unpaid_invoice()
        if invoice and self.state in OPEN_STATES:
            return invoice.invoice_date_due, invoice.amount_residual
        if self.state in OPEN_STATES and self.amount and not self._is_free():
            return self.date_end + relativedelta(days=1), self.next_amount
        return False, 0.0

    def _portal_issues(self):
        """Issues delivered to the subscription so far, last first: those a
        reader may report missing or damaged."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return self.env["publication.issue"].search(
            [
                ("publication_id", "=", self.publication_id.id),
                ("date", ">=", self.date_start),
                ("date", "<=", min(today, self.date_end)),
            ],
            order="date desc",
            limit=12,
        )

    def _portal_pause(self, date_from, date_to):
        """A holiday pause asked by the reader: the publication's notice and
        pauses per year, then the back office's pause."""
        self.ensure_one()
        self._raise_if_not_open(self.env._("Pausing"))
        publication = self.publication_id
        today = fields.Date.context_today(self)
        earliest = today + relativedelta(days=publication.pause_notice_days)
        if date_from < earliest:
            raise UserError(
                self.env._(
                    "Pause From (%(start)s) is too late to ask: %(publication)s "
                    "needs %(days)s days' notice, so the earliest start is "
                    "%(earliest)s.",
                    start=format_date(self.env, date_from),
                    publication=publication.name,
                    days=publication.pause_notice_days,
                    earliest=format_date(self.env, earliest),
                )
            )
        limit = publication.max_pauses_per_year
        same_year = self.pause_ids.filtered(
            lambda p: p.date_from.year == date_from.year
        )
        if limit and len(same_year) >= limit:
            raise UserError(
                self.env._(
                    "Pause From (%(start)s) is refused: %(name)s already has "
                    "%(count)s pause(s) in %(year)s, the most %(publication)s "
                    "allows.",
                    start=format_date(self.env, date_from),
                    name=self.name,
                    count=len(same_year),
                    year=date_from.year,
                    publication=publication.name,
                )
            )
        return self._pause(date_from, date_to, self.env._("asked on the portal"))

    def _portal_change_address(self, values, date_from):
        """A move asked by the reader: a new delivery address of the recipient
        from date_from (today or later), planned for the daily scheduled
        action when in the future."""
        self.ensure_one()
        self._raise_if_not_open(self.env._("Changing the delivery address"))
        today = fields.Date.context_today(self)
        if date_from < today:
            raise UserError(
                self.env._(
                    "Moves On (%(date)s) is in the past; give today or a later day.",
                    date=format_date(self.env, date_from),
                )
            )
        missing = [name for name in ("street", "zip", "city") if not values.get(name)]
        if missing:
            raise UserError(
                self.env._(
                    "Give the new address's %(fields)s.", fields=", ".join(missing)
                )
            )
        address = self.env["res.partner"].create(self._prepare_portal_address(values))
        return self._change_delivery_address(
            address, date_from, self.env._("asked on the portal")
        )

    def _prepare_portal_address(self, values):
        recipient = self.recipient_id
        return {
            "type": "delivery",
            "parent_id": recipient.id,
            "name": recipient.name,
            "street": values["street"],
            "zip": values["zip"],
            "city": values["city"],
            "country_id": recipient.country_id.id,
        }

    def _portal_report_copy(self, issue, kind, description, partner):
        """A missing or damaged copy reported by the reader: a complaint ticket
        of the publication's subscriber service team, linked to the
        subscription and the issue, with the publication's automatic remedy.
        A repeated report of the issue joins the first ticket instead, without
        a second remedy (its Reports count then says so). Returns the ticket."""
        self.ensure_one()
        self._raise_if_not_open(self.env._("Reporting a copy"))
        if kind not in PORTAL_COMPLAINTS:
            raise UserError(
                self.env._("Complaint %(kind)s is not one of the portal's.", kind=kind)
            )
        if issue not in self._portal_issues():
            raise UserError(
                self.env._(
                    "Issue %(issue)s is not an issue delivered to %(name)s.",
                    issue=issue.name or "-",
                    name=self.name,
                )
            )
        category = self.env.ref(PORTAL_COMPLAINTS[kind])
        first = self.env["helpdesk.ticket"].search(
            self._portal_report_domain(issue), order="id", limit=1
        )
        if first:
            first._join_report(category, description, partner)
            return first
        ticket = self.env["helpdesk.ticket"].create(
            self._prepare_portal_ticket(issue, category, description, partner)
        )
        ticket.message_subscribe(partner_ids=partner.ids)
        remedy = self.publication_id.portal_remedy
        if remedy == "resend":
            ticket._resend_issue(1)
        elif remedy == "extend":
            ticket.action_extend_subscription()
        return ticket

    def _portal_report_domain(self, issue):
        """Tickets a new report of issue joins: a missing or damaged copy of
        this subscription (the same remedy, one copy), or one that already
        made it good."""
        categories = [self.env.ref(xmlid).id for xmlid in PORTAL_COMPLAINTS.values()]
        reported = Domain(
            [
                ("subscription_id", "=", self.id),
                ("issue_id", "=", issue.id),
                ("category_id", "in", categories),
            ]
        )
        return reported | self.env["helpdesk.ticket"]._remedy_domain(self, issue)

    def _prepare_portal_ticket(self, issue, category, description, partner):
        return {
            "name": self.env._(
                "%(category)s: %(issue)s", category=category.name, issue=issue.name
            ),
            "description": description or category.name,
            "category_id": category.id,
            "team_id": self.publication_id._complaint_team().id,
            "company_id": self.company_id.id,
            "partner_id": partner.id,
            "partner_name": partner.name,
            "partner_email": partner.email,
            "subscription_id": self.id,
            "issue_id": issue.id,
            "channel_id": self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web").id,
        }
