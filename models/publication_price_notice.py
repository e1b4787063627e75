from odoo import api, fields, models
from odoo.tools import format_amount, format_date


class PublicationPriceNotice(models.Model):
    """The notice of a price change sent to a subscription's payer, and the
    payer's answer. Its unique index is the guard against a notice going out
    twice."""

    _name = "publication.price.notice"
    _description = "Price Change Notice"
    _order = "date_sent desc, id desc"
    _rec_name = "subscription_id"

    change_id = fields.Many2one(
        "publication.price.change",
        string="Price Change",
        required=True,
        ondelete="cascade",
        index=True,
    )
    subscription_id = fields.Many2one(
        "publication.subscription", required=True, ondelete="cascade", index=True
    )
    publication_id = fields.Many2one(
        related="subscription_id.publication_id", store=True
    )
    company_id = fields.Many2one(related="subscription_id.company_id", store=True)
    payer_id = fields.Many2one(related="subscription_id.payer_id", store=True)
    currency_id = fields.Many2one(related="subscription_id.currency_id")
    date_sent = fields.Date(string="Sent On", required=True, readonly=True)
    date_applies = fields.Date(
        string="Applies From",
        required=True,
        readonly=True,
        help="The first renewal that charges the new price: at least the notice's "
        "days after it was sent.",
    )
    old_amount = fields.Monetary(
        string="Term Amount Until Then",
        readonly=True,
        help="What a term cost the payer when the notice was sent.",
    )
    amount = fields.Monetary(
        string="New Term Amount",
        readonly=True,
        help="What a term costs with the new price, for the copies of the "
        "subscription when the notice was sent.",
    )
    channel = fields.Selection(
        [("mail", "E-mail"), ("letter", "Letter to Print")],
        required=True,
        readonly=True,
        help="Letter to Print: the payer has no e-mail address or asks for paper "
        "letters; the notice is printed with the company's next letter run.",
    )
    answer = fields.Selection(
        [
            ("pending", "No Answer Yet"),
            ("declined", "Declined"),
            ("accepted", "Applied at Renewal"),
        ],
        required=True,
        default="pending",
        readonly=True,
        help="Declined: the payer cancelled at the end of the term. Applied at "
        "Renewal: the payer did not decline, and the renewal charged the new price.",
    )
    date_answer = fields.Date(string="Answered On", readonly=True)

    _change_subscription_uniq = models.Constraint(
        "UNIQUE(change_id, subscription_id)",
        "A price change is announced once to each subscription.",
    )

    @api.depends("subscription_id", "change_id")
    def _compute_display_name(self):
        for notice in self:
            notice.display_name = self.env._(
                "%(subscription)s: %(change)s",
                subscription=notice.subscription_id.name or "",
                change=notice.change_id.display_name or "",
            )

    def _in_time_for(self, start):
        """Whether this notice announced the new price for a period starting
        on start: sent the change's notice days before it, and start is on or
        after the day it named."""
        self.ensure_one()
        return (
            start >= self.date_applies
            and (start - self.date_sent).days >= self.change_id.notice_days
        )

    def _portal_url(self):
        """The subscription's page, behind the login: the payer declines
        there, logged in; a link's token alone changes nothing."""
        self.ensure_one()
        return (
            f"{self.subscription_id.get_base_url()}/web/login?redirect="
            f"/my/subscriptions/{self.subscription_id.id}"
        )

    def _letter_text(self, lang):
        """(title, paragraphs) of this notice's letter in lang: the new and
        the old term price, from which renewal, and how to decline."""
        self.ensure_one()
        env = self.with_context(lang=lang).env
        subscription = self.subscription_id
        company = subscription.company_id

        def money(amount):
            return format_amount(env, amount, self.currency_id, lang)

        def day(date):
            return format_date(env, date, lang_code=lang)

        url = subscription.get_base_url() + subscription.access_url
        if company.phone:
            how = env._(
                "log in to your subscription's page, %(url)s, or call us on %(phone)s",
                url=url,
                phone=company.phone,
            )
        else:
            how = env._(
                "log in to your subscription's page, %(url)s, or write to us",
                url=url,
            )
        decline = env._(
            "If you do not want to go on at the new price, you can end your "
            "subscription with its current term, on %(end)s: %(how)s. Otherwise "
            "your subscription goes on at the new price.",
            end=day(subscription.date_end),
            how=how,
        )
        title = env._(
            "New price of %(publication)s",
            publication=subscription.publication_id.name,
        )
        return title, [
            env._(
                "From your renewal on %(date)s, a term of your subscription costs "
                "%(amount)s instead of %(old_amount)s.",
                date=day(self.date_applies),
                amount=money(self.amount),
                old_amount=money(self.old_amount),
            ),
            decline,
            env._(
                "Thank you for reading %(publication)s.",
                publication=subscription.publication_id.name,
            ),
        ]

    def _post_notice_mails(self, template):
        """Post template, rendered for each notice in its payer's language, on
        the subscription's chatter for the payer, from the publisher: the
        e-mails go out through the mail queue, after the commit."""
        if not self or not template:
            return
        rendered = template._generate_template(self.ids, ("subject", "body_html"))
        subscriptions = self.subscription_id.with_context(mail_notify_force_send=False)
        senders = subscriptions._publisher_senders()
        for notice in self:
            subscription = subscriptions.browse(notice.subscription_id.id)
            subscription.message_post(
                body=rendered[notice.id]["body_html"],
                subject=rendered[notice.id]["subject"],
                partner_ids=notice.payer_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
                **senders[subscription.id],
            )
