"""A new price of an offer, announced in advance: each running subscription
of the offer gets a notice (publication.price.notice) a set number of days
before the renewal that first charges it, and may decline it (cancel at the
end of the term). A renewal charges the new price only where the notice went
out in time (publication.subscription._next_term_price)."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..utils.input_bounds import check_date

PRICE_NOTICE_TEMPLATE = "publication_crm.mail_template_price_notice"
# notice of a price change: a year at most (more is a typing error)
MAX_NOTICE_DAYS = 366


class PublicationPriceChange(models.Model):
    _name = "publication.price.change"
    _description = "Price Change of an Offer"
    _order = "date_effective desc, id desc"
    _check_company_auto = True

    plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Offer",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('is_trial', '=', False)]",
    )
    publication_id = fields.Many2one(
        related="plan_id.publication_id", store=True, index=True
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    old_price = fields.Monetary(
        string="Price Until Then",
        compute="_compute_old_price",
        store=True,
        readonly=True,
        help="The offer's price per copy when the change was created.",
    )
    price = fields.Monetary(
        string="New Price",
        required=True,
        help="Price of one copy for one period, untaxed, from the first renewal "
        "on or after Renewals From whose notice went out in time.",
    )
    date_effective = fields.Date(
        string="Renewals From",
        required=True,
        help="Renewals (new periods) starting on or after this day charge the new "
        "price; new subscriptions get it from this day on.",
    )
    notice_days = fields.Integer(
        string="Notice (days)",
        compute="_compute_notice_days",
        store=True,
        readonly=False,
        help="The payer is told at least this many days before the renewal that "
        "first charges the new price; a renewal sooner after the notice keeps the "
        "old price for that term.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("announced", "Announced"), ("applied", "Applied")],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        help="Announced: the nightly run sends the notices. Applied: the offer has "
        "the new price (from Renewals From on).",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Notice E-mail",
        domain="[('model', '=', 'publication.price.notice')]",
        default=lambda self: self.env.ref(
            PRICE_NOTICE_TEMPLATE, raise_if_not_found=False
        ),
    )
    note = fields.Text(string="Reason", translate=False)
    notice_ids = fields.One2many(
        "publication.price.notice", "change_id", string="Notices"
    )
    notice_count = fields.Integer(
        string="Notices Sent", compute="_compute_notice_counts"
    )
    letter_count = fields.Integer(
        string="Letters to Print", compute="_compute_notice_counts"
    )
    declined_count = fields.Integer(string="Declined", compute="_compute_notice_counts")
    accepted_count = fields.Integer(
        string="Applied at Renewal", compute="_compute_notice_counts"
    )

    _plan_date_uniq = models.Constraint(
        "UNIQUE(plan_id, date_effective)",
        "An offer has one price change per day.",
    )

    @api.depends("plan_id")
    def _compute_old_price(self):
        for change in self:
            change.old_price = change.plan_id.price

    @api.depends("plan_id")
    def _compute_notice_days(self):
        for change in self:
            change.notice_days = change.plan_id.publication_id.price_notice_days or 30

    @api.depends("notice_ids.channel", "notice_ids.answer")
    def _compute_notice_counts(self):
        counts = {
            (change.id, channel, answer): count
            for change, channel, answer, count in self.env[
                "publication.price.notice"
            ]._read_group(
                [("change_id", "in", self.ids)],
                ["change_id", "channel", "answer"],
                ["__count"],
            )
        }
        for change in self:
            mine = {k[1:]: v for k, v in counts.items() if k[0] == change.id}
            change.notice_count = sum(mine.values())
            change.letter_count = sum(v for k, v in mine.items() if k[0] == "letter")
            change.declined_count = sum(
                v for k, v in mine.items() if k[1] == "declined"
            )
            change.accepted_count = sum(
                v for k, v in mine.items() if k[1] == "accepted"
            )

    @api.depends("plan_id", "price", "date_effective")
    def _compute_display_name(self):
        for change in self:
            if not change.plan_id or not change.date_effective:
                change.display_name = change.plan_id.display_name or ""
                continue
            change.display_name = self.env._(
                "%(plan)s: %(price)s from %(date)s",
                plan=change.plan_id.display_name,
                price=format_amount(self.env, change.price, change.currency_id),
                date=format_date(self.env, change.date_effective),
            )

    @api.constrains("price", "notice_days", "plan_id", "date_effective")
    def _check_price_change(self):
        for change in self:
            check_date(
                self.env,
                self._fields["date_effective"]._description_string(self.env),
                change.date_effective,
            )
            if change.notice_days > MAX_NOTICE_DAYS:
                raise ValidationError(
                    self.env._(
                        "Notice (days) of the change of offer %(plan)s must be at "
                        "most %(max)s, not %(value)s.",
                        plan=change.plan_id.name,
                        max=MAX_NOTICE_DAYS,
                        value=change.notice_days,
                    )
                )
            if change.price < 0:
                raise ValidationError(
                    self.env._(
                        "New Price of the change of offer %(plan)s must not be "
                        "negative, not %(value)s.",
                        plan=change.plan_id.name,
                        value=change.price,
                    )
                )
            if change.notice_days < 0:
                raise ValidationError(
                    self.env._(
                        "Notice (days) of the change of offer %(plan)s must not be "
                        "negative, not %(value)s.",
                        plan=change.plan_id.name,
                        value=change.notice_days,
                    )
                )
            if change.plan_id.is_trial:
                raise ValidationError(
                    self.env._(
                        "Offer %(plan)s is a free trial: its price does not change.",
                        plan=change.plan_id.name,
                    )
                )

    def write(self, vals):
        """What was announced stays as announced: an announced change is not
        edited (create another one)."""
        announced = {"plan_id", "price", "date_effective", "notice_days"} & set(vals)
        if announced and any(c.state != "draft" for c in self):
            raise UserError(
                self.env._(
                    "%(field)s of an announced price change cannot be changed; "
                    "create a new price change instead.",
                    field=self._fields[min(announced)].get_description(self.env)[
                        "string"
                    ],
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(change.state != "draft" for change in self):
            raise UserError(
                self.env._(
                    "Only a draft price change can be deleted; its notices are "
                    "the record of what the readers were told."
                )
            )

    def action_announce(self):
        """From now on the nightly run sends the notices."""
        today = self.env.company._publication_today()
        for change in self:
            if change.state != "draft":
                raise UserError(
                    self.env._(
                        "Price change %(change)s is already announced.",
                        change=change.display_name,
                    )
                )
            if change.date_effective <= today:
                raise UserError(
                    self.env._(
                        "Renewals From (%(date)s) must be after today: a price "
                        "change is announced in advance.",
                        date=format_date(self.env, change.date_effective),
                    )
                )
        self.write({"state": "announced"})
        return True

    def action_view_notices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_price_notice_action"
        )
        action["domain"] = [("change_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # The nightly run (publication.automation._cron_renewal_reminders)
    # ------------------------------------------------------------------
    @api.model
    def _to_announce(self, publications):
        """The announced changes of publications, whose notices go out."""
        return self.search(
            [
                ("state", "in", ("announced", "applied")),
                ("publication_id", "in", publications.ids),
            ],
            order="plan_id, date_effective, id",
        )

    def _next_change(self):
        """The offer's announced change after this one: it, not this one,
        announces the renewals from its day on."""
        self.ensure_one()
        later = self.plan_id.price_change_ids.filtered(
            lambda c: c.state != "draft" and c.date_effective > self.date_effective
        )
        return later.sorted("date_effective")[:1]

    @api.model
    def _apply_due(self, publications, today):
        """Offers whose announced change has come get the new price: new
        subscriptions pay it from then on (running ones from their renewal
        after the notice)."""
        due = self.search(
            [
                ("state", "=", "announced"),
                ("publication_id", "in", publications.ids),
                ("date_effective", "<=", today),
            ],
            order="date_effective, id",
        )
        for change in due:
            change.plan_id.price = change.price
        due.write({"state": "applied"})
        return due
