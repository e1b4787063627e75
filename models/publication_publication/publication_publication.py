import calendar
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models, tools
from odoo.exceptions import ValidationError

MONTHLY_STEPS = {1: 12, 2: 6, 3: 4, 4: 3, 6: 2, 12: 1}


class PublicationPublication(models.Model):
    _name = "publication.publication"
    _description = "Publication"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True, translate=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code used in issue names and subscription references.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    medium = fields.Selection(
        [("print", "Print"), ("digital", "Digital"), ("both", "Print and Digital")],
        required=True,
        default="print",
    )
    issues_per_year = fields.Integer(
        required=True,
        default=12,
        help="12 = monthly, 52 = weekly, 312 = daily except Sundays. "
        "Used to generate the issue calendar and to estimate terms in issues.",
    )
    first_issue_day = fields.Integer(
        default=1,
        help="Day of the month of the first issue (monthly and rarer publications).",
    )
    first_issue_date = fields.Date(
        help="Anchor of the issue calendar: weekly and fortnightly issues fall "
        "every 7 or 14 days from it (on its weekday), monthly and rarer ones "
        "from its month on, on the First Issue Day. Set by the first planning "
        "when empty. Planning again after a change moves the future issues "
        "that have no booking, replacement copy or complaint.",
    )
    booking_deadline_days = fields.Integer(
        default=14, help="Ad bookings close this many days before publication."
    )
    material_deadline_days = fields.Integer(
        default=7, help="Ad material is due this many days before publication."
    )
    material_reminder_days = fields.Integer(
        default=3,
        help="Advertisers whose material is missing are reminded this many days "
        "before the material deadline.",
    )
    ad_product_id = fields.Many2one(
        "product.product",
        string="Advertising Product",
        domain=[("type", "=", "service")],
        help="Invoiced for advertisements in this publication.",
    )
    rate_card_ids = fields.One2many("publication.rate.card", "publication_id")
    product_id = fields.Many2one(
        "product.product",
        string="Subscription Product",
        domain=[("type", "=", "service")],
        help="Invoiced for subscriptions unless the offer names its own product.",
    )
    income_account_id = fields.Many2one(
        "account.account",
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        check_company=True,
        help="Subscription revenue of this publication is booked on this account; "
        "empty means the product's income account.",
    )
    payment_grace_days = fields.Integer(
        string="Payment Grace (days)",
        default=0,
        help="0: copies are delivered only once the invoice is paid. "
        "More than 0: delivery starts at once and goes on this many days without "
        "payment; a period still unpaid that many days after its start (or its "
        "invoice) is suspended by the nightly payment reminders until it is paid.",
    )
    copies_change_policy = fields.Selection(
        [
            ("prorate", "At Once, Invoiced for the Rest of the Period"),
            ("next_period", "From the Next Period"),
        ],
        string="Change of Copies",
        required=True,
        default="prorate",
        help="When Copies of an open subscription is raised or lowered: at once, "
        "with an invoice (or a credit note) for the difference over the rest of "
        "the invoiced period, prorated like a cancellation; or from the next "
        "period, the current one staying as invoiced.",
    )
    renewal_notice_days = fields.Integer(
        string="Renewal Notice (days)",
        default=30,
        help="Fixed-term subscriptions whose offer proposes continuous renewal get "
        "that offer this many days before they end.",
    )
    price_notice_days = fields.Integer(
        string="Price Change Notice (days)",
        default=30,
        help="Default notice of a new price of an offer: its payers are told this "
        "many days before the renewal that first charges it.",
    )
    expiry_grace_days = fields.Integer(
        string="Expiry Grace (days)",
        default=14,
        help="A subscription not renewed is expired this many days after its end.",
    )
    renewal_lead_days = fields.Integer(
        string="Renew Continuous (days before end)",
        default=0,
        help="Continuous subscriptions get their next period and its invoice this "
        "many days before they end (0: on the last day).",
    )
    winback_days = fields.Integer(
        string="Win-back (days after expiry)",
        default=30,
        help="Readers whose subscription expired get the win-back offer this many "
        "days later.",
    )
    suspend_after_days = fields.Integer(
        string="Suspend Delivery (days overdue)",
        default=30,
        help="Delivery stops when a subscription invoice is this many days overdue "
        "and resumes when it is paid; 0 never suspends.",
    )
    reminder_step_ids = fields.One2many(
        "publication.reminder.step",
        "publication_id",
        string="Renewal Reminders",
        domain=[("kind", "=", "renewal")],
        context={"default_kind": "renewal"},
    )
    dunning_step_ids = fields.One2many(
        "publication.reminder.step",
        "publication_id",
        string="Payment Reminders",
        domain=[("kind", "=", "dunning")],
        context={"default_kind": "dunning"},
    )
    conversion_template_id = fields.Many2one(
        "mail.template",
        string="Continuous Offer E-mail",
        domain="[('model', '=', 'publication.subscription')]",
        default=lambda self: self.env.ref(
            "publication_crm.mail_template_continuous_offer", raise_if_not_found=False
        ),
        help="Sent before the end of fixed-term subscriptions whose offer proposes "
        "continuous renewal.",
    )
    winback_template_id = fields.Many2one(
        "mail.template",
        string="Win-back E-mail",
        domain="[('model', '=', 'publication.subscription')]",
        default=lambda self: self.env.ref(
            "publication_crm.mail_template_winback", raise_if_not_found=False
        ),
    )
    issue_ids = fields.One2many("publication.issue", "publication_id")
    plan_ids = fields.One2many("publication.subscription.plan", "publication_id")
    subscription_ids = fields.One2many("publication.subscription", "publication_id")
    issue_count = fields.Integer(compute="_compute_counts")
    plan_count = fields.Integer(compute="_compute_counts")
    subscription_count = fields.Integer(compute="_compute_counts")
    active_subscription_count = fields.Integer(compute="_compute_counts")
    # the address subscriber mails of the publication come from
    email = fields.Char(
        string="Sender E-mail",
        help="Subscriber mails of this publication are sent from this address; "
        "empty: the company's.",
    )
    email_from_formatted = fields.Char(
        string="Sent From",
        compute="_compute_email_from_formatted",
        help="The publication's address, else the company's.",
    )
    print_deadline_days = fields.Integer(
        string="Print Deadline (days)",
        default=1,
        help="The distribution list of an issue is frozen this many days before "
        "its publication date (0: on the day), by a daily scheduled action.",
    )

    _code_company_uniq = models.Constraint(
        "UNIQUE(code, company_id)",
        "The code of a publication must be unique per company.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not {"reminder_step_ids", "dunning_step_ids"} & set(vals):
                vals["reminder_step_ids"] = self._default_reminder_steps()
        return super().create(vals_list)

    def _default_reminder_steps(self):
        """Renewal reminders 30, 14 and 3 days before the end; payment reminders
        7 and 21 days after the due date."""
        renewal = self.env.ref(
            "publication_crm.mail_template_renewal_reminder", raise_if_not_found=False
        )
        dunning = self.env.ref(
            "publication_crm.mail_template_payment_reminder", raise_if_not_found=False
        )
        if not (renewal and dunning):
            return []
        return [
            Command.create(
                {"kind": kind, "days": days, "mail_template_id": template.id}
            )
            for kind, template, days_list in (
                ("renewal", renewal, (30, 14, 3)),
                ("dunning", dunning, (7, 21)),
            )
            for days in days_list
        ]

    @api.constrains(
        "renewal_lead_days",
        "expiry_grace_days",
        "winback_days",
        "suspend_after_days",
        "renewal_notice_days",
        "price_notice_days",
    )
    def _check_renewal_days(self):
        for publication in self:
            for field in (
                "renewal_lead_days",
                "expiry_grace_days",
                "winback_days",
                "suspend_after_days",
                "renewal_notice_days",
                "price_notice_days",
            ):
                if publication[field] < 0:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of publication %(name)s must not be negative, "
                            "not %(value)s.",
                            field=self._fields[field].get_description(self.env)[
                                "string"
                            ],
                            name=publication.name,
                            value=publication[field],
                        )
                    )

    @api.constrains("issues_per_year", "first_issue_day", "payment_grace_days")
    def _check_numbers(self):
        for publication in self:
            if publication.issues_per_year <= 0:
                raise ValidationError(
                    self.env._(
                        "Issues per year must be positive, not %(value)s "
                        "(publication %(name)s).",
                        value=publication.issues_per_year,
                        name=publication.name,
                    )
                )
            if not 1 <= publication.first_issue_day <= 28:
                raise ValidationError(
                    self.env._(
                        "First issue day must be between 1 and 28, not %(value)s.",
                        value=publication.first_issue_day,
                    )
                )
            if publication.payment_grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "Payment grace must not be negative, not %(value)s.",
                        value=publication.payment_grace_days,
                    )
                )

    @api.constrains("print_deadline_days")
    def _check_print_deadline_days(self):
        for publication in self.filtered(lambda p: p.print_deadline_days < 0):
            raise ValidationError(
                self.env._(
                    "Print Deadline (days) of publication %(name)s must not be "
                    "negative, not %(value)s.",
                    name=publication.name,
                    value=publication.print_deadline_days,
                )
            )

    @api.depends("name", "email", "company_id.email_formatted")
    def _compute_email_from_formatted(self):
        for publication in self:
            publication.email_from_formatted = (
                tools.formataddr((publication.name, publication.email))
                if publication.email
                else publication.company_id.email_formatted
            )

    def _compute_counts(self):
        counts = {}
        for model, field in (
            ("publication.issue", "issue_count"),
            ("publication.subscription.plan", "plan_count"),
            ("publication.subscription", "subscription_count"),
        ):
            counts[field] = dict(
                self.env[model]._read_group(
                    [("publication_id", "in", self.ids)],
                    ["publication_id"],
                    ["__count"],
                )
            )
        active = dict(
            self.env["publication.subscription"]._read_group(
                [("publication_id", "in", self.ids), ("state", "=", "active")],
                ["publication_id"],
                ["__count"],
            )
        )
        for publication in self:
            for field, by_publication in counts.items():
                publication[field] = by_publication.get(publication, 0)
            publication.active_subscription_count = active.get(publication, 0)

    def _issue_dates(self, date_from, date_to):
        """Publication dates between two dates, from the publication's rhythm,
        anchored on its First Issue Date (date_from when it has none)."""
        self.ensure_one()
        anchor = self.first_issue_date or date_from
        ipy = self.issues_per_year
        if ipy in MONTHLY_STEPS:
            return self._monthly_issue_dates(
                date_from, date_to, MONTHLY_STEPS[ipy], anchor
            )
        date_from = max(date_from, anchor)
        if ipy == 24:
            return [
                day
                for month_start in self._monthly_issue_dates(
                    date_from, date_to, 1, date_from, day=1
                )
                for day in (month_start, month_start + timedelta(days=14))
                if date_from <= day <= date_to
            ]
        if ipy >= 250:
            last_weekday = 5 if ipy >= 300 else 4  # Saturday or Friday
            days = (date_to - date_from).days + 1
            return [
                day
                for day in (date_from + timedelta(days=n) for n in range(days))
                if day.weekday() <= last_weekday
            ]
        step = max(1, round(364 / ipy))
        first = anchor + timedelta(days=-((anchor - date_from).days // step) * step)
        count = max(0, (date_to - first).days // step + 1)
        return [first + timedelta(days=step * n) for n in range(count)]

    def _monthly_issue_dates(self, date_from, date_to, months_step, anchor, day=None):
        """Every months_step months from the month of anchor, on day (the First
        Issue Day by default), between date_from and date_to."""
        day = day or self.first_issue_day
        months = (date_from.year - anchor.year) * 12 + date_from.month - anchor.month
        current = anchor.replace(day=1) + relativedelta(
            months=max(0, months // months_step) * months_step
        )
        dates = []
        while current <= date_to:
            last_day = calendar.monthrange(current.year, current.month)[1]
            issue_date = current.replace(day=min(day, last_day))
            if date_from <= issue_date <= date_to:
                dates.append(issue_date)
            current += relativedelta(months=months_step)
        return dates

    def _generate_issues(self, date_from, date_to):
        """Plan the issues between two dates from each publication's rhythm.

        Missing issues are created; future issues off the rhythm (after a change
        of rhythm, issue day or first issue date) are deleted unless a booking,
        a replacement copy or a complaint refers to them. Issues up to today are
        never touched, and none are added up to today when that part of the
        period already has issues. Planning again changes nothing. Returns the
        new issues."""
        Issue = self.env["publication.issue"]
        by_publication = Issue.search(
            [("publication_id", "in", self.ids)], order="date, id"
        ).grouped("publication_id")
        vals_list = []
        obsolete = Issue
        for publication in self:
            issues = by_publication.get(publication, Issue)
            if not publication.first_issue_date:
                publication.first_issue_date = issues[:1].date or date_from
            today = publication.company_id._publication_today()
            start = date_from
            if issues.filtered(lambda i, t=today: date_from <= i.date <= t):
                start = max(date_from, today + timedelta(days=1))
            wanted = publication._issue_dates(start, date_to)
            obsolete |= issues.filtered(
                lambda i, s=start, w=set(wanted): (
                    s <= i.date <= date_to and i.date not in w
                )
            )._unreferenced()
            known = set((issues - obsolete).mapped("date"))
            number = max((issues - obsolete).mapped("number"), default=0)
            for day in wanted:
                if day in known:
                    continue
                number += 1
                vals_list.append(
                    {"publication_id": publication.id, "number": number, "date": day}
                )
        obsolete.unlink()
        return Issue.create(vals_list)

    def action_generate_issues(self):
        """Plan the issues of the current and the next calendar year."""
        today = fields.Date.context_today(self)
        self._generate_issues(
            today.replace(month=1, day=1),
            today.replace(year=today.year + 1, month=12, day=31),
        )
        return self.action_view_issues()

    def _action_for(self, xmlid):
        """Window action of xmlid restricted to these publications."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("publication_id", "in", self.ids)]
        if len(self) == 1:
            action["context"] = {"default_publication_id": self.id}
        return action

    def action_view_issues(self):
        return self._action_for("publication_crm.publication_issue_action")

    def action_view_subscriptions(self):
        return self._action_for("publication_crm.publication_subscription_action")

    def action_view_plans(self):
        return self._action_for("publication_crm.publication_subscription_plan_action")
