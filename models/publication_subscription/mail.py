"""Mails to subscribers: from the publisher (the publication's or company's
address, the company as author, also when a scheduled action sends them), in
the payer's language; marketing mails skip blacklisted addresses and carry an
unsubscribe link (with a token of its own, good for nothing else); the
confirmation comes with the invoice, from the queue."""

from markupsafe import Markup

from odoo import fields, models, tools
from odoo.tools import consteq

CONFIRMATION = "publication_crm.mail_template_subscription_confirmation"


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    confirmation_pending = fields.Boolean(
        index=True,
        readonly=True,
        copy=False,
        help="Confirmed, its confirmation mail not yet sent (by the scheduled "
        "action of confirmations, with the invoice).",
    )

    def _publisher_mail_values(self):
        self.ensure_one()
        return {
            "author_id": self.company_id.partner_id.id,
            "email_from": self.publication_id.email_from_formatted,
        }

    def _publisher_senders(self):
        """_publisher_mail_values of each subscription with the reply-to Odoo
        would give it, computed for the whole batch at once (message_post
        computes it message by message)."""
        if not self:
            return {}
        values = {s.id: s._publisher_mail_values() for s in self}
        reply_to = self._notify_get_reply_to_batch(
            defaults={id_: v["email_from"] for id_, v in values.items()},
            author_ids={id_: v["author_id"] for id_, v in values.items()},
        )
        return {id_: dict(v, reply_to=reply_to[id_]) for id_, v in values.items()}

    def _blacklisted(self):
        """Subscriptions whose payer's address is on the blacklist."""
        emails = {s: tools.email_normalize(s.payer_id.email) for s in self}
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", [e for e in emails.values() if e])])
            .mapped("email")
        )
        return self.filtered(lambda s: emails[s] in blacklisted)

    def _unsubscribe_url(self):
        self.ensure_one()
        return (
            f"{self.get_base_url()}/publication/unsubscribe/{self.id}"
            f"?token={self._unsubscribe_token()}"
        )

    def _unsubscribe_token(self):
        """The unsubscribe link's token: an HMAC of the subscription and its
        payer's normalised e-mail (as mass_mailing's links), never the portal
        token; it unsubscribes that address from offers and opens nothing."""
        self.ensure_one()
        email = tools.email_normalize(self.payer_id.email) or ""
        return tools.hmac(
            self.env(su=True), "publication-unsubscribe", (self.id, email)
        )

    def _check_unsubscribe_token(self, token):
        self.ensure_one()
        return bool(token) and consteq(self._unsubscribe_token(), str(token))

    def _unsubscribe_footer(self):
        return Markup(
            '<p style="font-size: 11px; color: #888888;">%s <a href="%s">%s</a></p>'
        ) % (
            self.env._("You receive our offers as a subscriber."),
            self._unsubscribe_url(),
            self.env._("Unsubscribe from offers"),
        )

    def _unsubscribe(self):
        """Blacklist the payer's address: no more offers, service mails go on."""
        self.ensure_one()
        if not self.payer_id.email:
            return
        self.env["mail.blacklist"].sudo()._add(
            self.payer_id.email,
            message=self.env._(
                "Unsubscribed from offers by subscription %(name)s.", name=self.name
            ),
        )

    def _send_confirmation(self):
        """The confirmation mail to the payer, with the invoice PDF, through
        the mail queue (rendered by a scheduled action, not by the user's
        confirmation: invoice PDFs of many subscriptions take time)."""
        template = self.env.ref(CONFIRMATION, raise_if_not_found=False)
        report = self.env.ref("account.account_invoices", raise_if_not_found=False)
        pdfs = {}  # the subscriptions of a sponsored batch share one invoice
        for subscription in self:
            # the invoice of the first period: the one the confirmation made
            invoice = subscription.sudo().period_ids.sorted("date_start")[:1].invoice_id
            attachments = []
            if invoice and report:
                if invoice not in pdfs:
                    pdfs[invoice] = report.sudo()._render_qweb_pdf(report, invoice.ids)[
                        0
                    ]
                name = f"{(invoice.name or 'invoice').replace('/', '_')}.pdf"
                attachments = [(name, pdfs[invoice])]
            subscription._post_template(template, attachments=attachments)
        self._write_state({"confirmation_pending": False})
