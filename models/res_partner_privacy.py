"""Data protection: erasing a reader on request, built on OCA's
privacy_partner_to_be_forgotten (its wizard, its anonymize_partner_data and
hooks). The add-on's own copies of the reader (frozen distribution lines,
postal mailing lines, register import rows), their tickets' texts, the free
text on their subscriptions and the names kept in tracking values are
anonymised as the partner is; invoices, subscriptions, periods and every
count stay."""

from odoo import models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import email_normalize, html2plaintext
from odoo.tools.sql import escape_psql

ANONYMIZE_GROUP = "privacy_partner_to_be_forgotten.group_partner_anonymize"
# the free text of a ticket, replaced (the field is required)
ANONYMIZED_TEXT = "<p>(anonymised)</p>"
# an address copy: the name is replaced, these emptied; postal code and country
# stay, so that the counts by postal code and country stay as they were
ADDRESS_ERASED = {"street": False, "street2": False, "city": False}


class ResPartner(models.Model):
    _inherit = "res.partner"

    def anonymize_partner_data(self):
        """Only for who may anonymise (the wizard checks it, an RPC call to
        this method must too); then done as superuser: a Publication Manager
        has no right on users, other people's messages or frozen lists."""
        if not self.env.su and not self.env.user.has_group(ANONYMIZE_GROUP):
            raise AccessError(
                self.env._("You don't have permission to anonymize partners.")
            )
        partner = self.sudo()
        # OCA anonymises the user first, and with it the partner's e-mail: the
        # copies are found by the values as they were
        identity = (partner.name, partner.email, partner.ref, partner.zip)
        partner = partner.with_context(publication_privacy_identity=identity)
        return super(ResPartner, partner).anonymize_partner_data()

    def _privacy_identity(self):
        """(name, e-mail, reference, postal code) of the partner as they were
        before the anonymisation began."""
        self.ensure_one()
        return self.env.context.get("publication_privacy_identity") or (
            self.name,
            self.email,
            self.ref,
            self.zip,
        )

    def _anonymize_partner(self, anonymized_name, anonymized_email):
        """Before the partner's own fields are emptied: the add-on's copies
        and texts."""
        self._anonymize_publication_copies(anonymized_name, anonymized_email)
        return super()._anonymize_partner(anonymized_name, anonymized_email)

    def _get_messages_domain(self):
        """Also the mails and notes on the partner's tickets (the tracking of
        their stages stays)."""
        tickets = self._privacy_tickets()
        return Domain.OR(
            [
                super()._get_messages_domain(),
                [
                    ("model", "=", "helpdesk.ticket"),
                    ("res_id", "in", tickets.ids),
                    ("tracking_value_ids", "=", False),
                ],
            ]
        )

    def _anonymize_partner_messages(self):
        """The ratings of the messages deleted stay, without their text: a
        rating goes with its message, and the complaint figures count it."""
        messages = self.env["mail.message"].search(self._get_messages_domain())
        self.env["rating.rating"].search(
            ["|", ("message_id", "in", messages.ids), ("partner_id", "=", self.id)]
        ).write({"message_id": False, "feedback": False})
        return super()._anonymize_partner_messages()

    # ------------------------------------------------------------------
    # The add-on's copies
    # ------------------------------------------------------------------
    def _anonymize_publication_copies(self, anonymized_name, anonymized_email):
        self.ensure_one()
        subscriptions = (
            self.env["publication.subscription"]
            .with_context(active_test=False)
            .search(
                [
                    "|",
                    "|",
                    ("recipient_id", "=", self.id),
                    ("payer_id", "=", self.id),
                    ("delivery_address_id", "=", self.id),
                ]
            )
        )
        delivered = subscriptions.filtered(
            lambda s: self in (s.recipient_id | s.delivery_address_id)
        )
        copy = dict(ADDRESS_ERASED, name=anonymized_name)
        self.env["publication.distribution.line"].search(
            [("subscription_id", "in", delivered.ids)]
        ).write(copy)
        self.env["publication.postal.mailing.line"].search(
            [("partner_id", "=", self.id)]
        ).write(copy)
        subscriptions.write({"note": False, "churn_note": False})
        subscriptions.pause_ids.write({"reason": False})
        self.env["publication.retention.attempt"].search(
            [("subscription_id", "in", subscriptions.ids)]
        ).write({"note": False})
        self._privacy_tickets().write(
            {
                "partner_name": anonymized_name,
                "partner_email": anonymized_email,
                "description": ANONYMIZED_TEXT,
            }
        )
        email = email_normalize(self._privacy_identity()[1])
        if email:
            self.env["mailing.trace"].search([("email", "=", email)]).write(
                {"email": anonymized_email}
            )
        self._anonymize_tracking_values(anonymized_name)
        self.env["publication.webhook.delivery"]._anonymize_reader(self)
        seats = Domain("partner_id", "=", self.id)
        if email:
            seats |= Domain("email", "=ilike", email)
        self.env["publication.subscription.seat"].search(
            seats & Domain("email", "!=", False)
        ).write({"email": anonymized_email})
        self.env["publication.call"].search([("partner_id", "=", self.id)]).write(
            {"note": False}
        )
        self.env["publication.register.import"]._anonymize_partner_lines(
            self, self._privacy_identity(), anonymized_name
        )

    def _privacy_tickets(self):
        """The partner's tickets, also those known by their e-mail only (as
        it was, or once anonymised)."""
        self.ensure_one()
        domain = [("partner_id", "=", self.id)]
        for email in {self._privacy_identity()[1], self.email} - {False, None}:
            domain = Domain.OR(
                [domain, [("partner_email", "=ilike", escape_psql(email))]]
            )
        return (
            self.env["helpdesk.ticket"].with_context(active_test=False).search(domain)
        )

    def _anonymize_tracking_values(self, anonymized_name):
        """The partner's name as chatter tracking kept it (a changed recipient,
        payer or contact) on any record."""
        Tracking = self.env["mail.tracking.value"]
        partner_fields = self.env["ir.model.fields"].search(
            [("ttype", "=", "many2one"), ("relation", "=", "res.partner")]
        )
        for side in ("old", "new"):
            Tracking.search(
                [
                    ("field_id", "in", partner_fields.ids),
                    (f"{side}_value_integer", "=", self.id),
                ]
            ).write({f"{side}_value_char": anonymized_name})

    # ------------------------------------------------------------------
    # Export: what the add-on holds on a portal user's company or person
    # ------------------------------------------------------------------
    def _privacy_export(self):
        """The data of the commercial partner of self (a portal user's
        partner), by section: lists of flat dicts of plain values. Read as
        superuser, scoped to that partner as the portal's rules are."""
        self.ensure_one()
        commercial = self.commercial_partner_id.sudo()
        subscriptions = (
            self.env["publication.subscription"]
            .sudo()
            .search(self.env["publication.subscription"]._portal_domain(self))
        )
        addresses = commercial.search([("id", "child_of", commercial.id)])
        return {
            "addresses": [_address(a) for a in addresses],
            "subscriptions": [_subscription(s, commercial) for s in subscriptions],
            "periods": [
                _period(p, commercial)
                for p in subscriptions.period_ids.sorted(
                    lambda p: (p.subscription_id.id, p.date_start)
                )
            ],
            "invoices": [_invoice(m) for m in commercial._privacy_invoices()],
            "tickets": [
                _ticket(t)
                for t in self.env["helpdesk.ticket"]
                .sudo()
                .search([("partner_id", "child_of", commercial.id)])
            ],
            **addresses._privacy_consent(),
        }

    def _privacy_invoices(self):
        return self.env["account.move"].search(
            [
                ("partner_id", "child_of", self.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            order="invoice_date, id",
        )

    def _privacy_consent(self):
        """Marketing consent of the partners' addresses (on Odoo's blacklist:
        listed = opted out) and its history: each message of the blacklist
        entry's chatter with its date, the state after it and its text."""
        emails = sorted({email_normalize(p.email) for p in self} - {False})
        entries = (
            self.env["mail.blacklist"]
            .sudo()
            .with_context(active_test=False)
            .search([("email", "in", emails)])
        )
        history = []
        for entry in entries:
            history += _consent_history(entry)
        return {
            "marketing_consent": [
                {
                    "email": email,
                    "consent": "out"
                    if entries.filtered(lambda e, m=email: e.email == m and e.active)
                    else "in",
                }
                for email in emails
            ],
            "consent_history": history,
        }


def _name(record):
    return record.display_name if record else ""


def _date(value):
    return value.isoformat() if value else ""


def _address(partner):
    return {
        "name": partner.name or "",
        "type": partner.type or "",
        "street": partner.street or "",
        "street2": partner.street2 or "",
        "zip": partner.zip or "",
        "city": partner.city or "",
        "country": _name(partner.country_id),
        "email": partner.email or "",
        "phone": partner.phone or "",
    }


def _roles(subscription, commercial):
    payer = subscription.payer_id.commercial_partner_id == commercial
    recipient = subscription.recipient_id.commercial_partner_id == commercial
    return payer, recipient


def _subscription(subscription, commercial):
    payer, recipient = _roles(subscription, commercial)
    values = {
        "reference": subscription.name,
        "publication": _name(subscription.publication_id),
        "offer": _name(subscription.plan_id),
        "as_payer": payer,
        "as_recipient": recipient,
        "recipient": _name(subscription.recipient_id),
        "payer": _name(subscription.payer_id),
        "origin": subscription.origin,
        "state": subscription.state,
        "start": _date(subscription.date_start),
        "end": _date(subscription.date_end),
        "cancelled_on": _date(subscription.date_cancel),
        "copies": subscription.quantity,
    }
    if recipient:
        values["delivery_address"] = subscription.delivery_address_id._display_address(
            without_company=True
        ).replace("\n", ", ")
    if payer:
        values["amount"] = subscription.amount
        values["currency"] = subscription.currency_id.name
    return values


def _period(period, commercial):
    payer, _recipient = _roles(period.subscription_id, commercial)
    values = {
        "subscription": period.subscription_id.name,
        "start": _date(period.date_start),
        "end": _date(period.date_end),
        "copies": period.quantity,
    }
    if payer:
        values["amount"] = period.amount
        values["invoice"] = period.invoice_id.name or ""
    return values


def _invoice(move):
    return {
        "number": move.name,
        "type": move.move_type,
        "date": _date(move.invoice_date),
        "due": _date(move.invoice_date_due),
        "total": move.amount_total,
        "due_amount": move.amount_residual,
        "currency": move.currency_id.name,
        "payment_state": move.payment_state,
    }


def _ticket(ticket):
    return {
        "number": ticket.number,
        "title": ticket.name,
        "description": html2plaintext(ticket.description or ""),
        "category": _name(ticket.category_id),
        "stage": _name(ticket.stage_id),
        "subscription": ticket.subscription_id.name or "",
        "received": _date(ticket.received_date),
        "closed": _date(ticket.closed_date),
    }


def _consent_history(entry):
    """Each message of a blacklist entry, oldest first, with the consent it
    leaves: a tracked change of `active` says it; the messages before the
    first one are in the entry's first state."""
    messages = entry.message_ids.sorted(lambda m: (m.date, m.id))
    changes = messages.tracking_value_ids.filtered(
        lambda t: t.field_id.name == "active"
    )
    first = changes.sorted(lambda t: (t.mail_message_id.date, t.id))[:1]
    listed = bool(first.old_value_integer) if first else entry.active
    history = []
    for message in messages:
        change = message.tracking_value_ids & changes
        if change:
            listed = bool(change[:1].new_value_integer)
        history.append(
            {
                "email": entry.email,
                "date": _date(message.date),
                "consent": "out" if listed else "in",
                "note": html2plaintext(message.body or "").strip(),
            }
        )
    return history
