from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import SQL, float_compare, format_date
from odoo.tools.translate import LazyTranslate

from .publication_rate_card_line import (
    AD_COLOURS,
    AD_FORMAT_SPACE,
    AD_FORMATS,
    AD_POSITIONS,
    PREMIUM_POSITIONS,
)

_lt = LazyTranslate(__name__)

BOOKING_STATES = [
    ("option", "Option (waiting for space)"),
    ("booked", "Booked"),
    ("material", "Material In"),
    ("published", "Published"),
    ("invoiced", "Invoiced"),
    ("cancelled", "Cancelled"),
]
TO_INVOICE_STATES = ("booked", "material", "published")
# The bookings that take space in their issue (an option waits for space).
PLACED_STATES = ("booked", "material", "published", "invoiced")
# Fields that move a booking on the page plan of its issue.
PLACEMENT_FIELDS = ("issue_id", "ad_format", "position", "page")
MATERIAL_MISSING = "publication_crm.mail_activity_type_material_missing"
OPTION_FITS = "publication_crm.mail_activity_type_option_fits"
# The bookings of one invoice.
INVOICE_GROUP_FIELDS = ("company_id", "issue_id", "invoice_partner_id")
# Fields set by the business methods only (through _write_state) or computed:
# the state, the price and its discounts, the invoice and the credit notes.
STATE_FIELDS = (
    "state",
    "list_price",
    "rate_card_line_id",
    "tier_discount",
    "contract_discount",
    "price",
    "invoice_id",
    "invoice_line_id",
    "credited_discount",
    "credit_note_ids",
    "material_reminder_date",
)
# Fields frozen once a booking is invoiced.
PRICE_FIELDS = ("issue_id", "ad_format", "position", "colour", "price_override")


class PublicationAdBooking(models.Model):
    _name = "publication.ad.booking"
    _description = "Advertisement Booking"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "publication.automation.mixin",
        "publication.guarded.mixin",
    ]
    _order = "issue_date desc, id desc"
    _check_company_auto = True
    _guarded_fields = STATE_FIELDS
    _initial_state = "booked"
    # only a Publication Manager may set them
    _manager_fields = ("price_override", "deadline_override")
    _guarded_message = _lt(
        "%(field)s of an advertisement booking is set by its actions "
        "(Material Received, Cancel, invoicing) and its rate card, not "
        "to %(value)s by hand."
    )
    _manager_message = _lt("Only a Publication Manager may set %(field)s (%(value)s).")

    name = fields.Char(compute="_compute_name", store=True)
    contract_id = fields.Many2one(
        "publication.ad.contract",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('state', '=', 'confirmed')]",
    )
    partner_id = fields.Many2one(
        related="contract_id.partner_id", string="Advertiser", store=True, index=True
    )
    agency_id = fields.Many2one(related="contract_id.agency_id", store=True)
    invoice_partner_id = fields.Many2one(
        related="contract_id.invoice_partner_id", store=True
    )
    user_id = fields.Many2one(
        related="contract_id.user_id", string="Salesperson", store=True
    )
    publication_id = fields.Many2one(
        related="contract_id.publication_id", store=True, index=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    issue_id = fields.Many2one(
        "publication.issue",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('publication_id', '=', publication_id)]",
    )
    issue_date = fields.Date(related="issue_id.date", store=True, index=True)
    booking_deadline = fields.Date(related="issue_id.booking_deadline")
    material_deadline = fields.Date(
        related="issue_id.material_deadline", store=True, index=True
    )
    material_reminder_due = fields.Date(
        compute="_compute_material_reminder_due",
        store=True,
        index=True,
        help="The advertiser is reminded of missing material from this day on.",
    )
    ad_format = fields.Selection(AD_FORMATS, string="Format", required=True)
    position = fields.Selection(AD_POSITIONS, required=True, default="inside")
    space = fields.Float(
        compute="_compute_space",
        store=True,
        digits=(6, 4),
        help="Space of the format in pages (a full page is 1).",
    )
    page = fields.Integer(
        compute="_compute_page",
        store=True,
        readonly=False,
        copy=False,
        help="Page of the issue the advertisement is placed on; empty: the layout "
        "desk places it. The Back Cover and Page 3 have their own page.",
    )
    issue_space_left = fields.Float(
        related="issue_id.space_left", string="Space Left in Issue"
    )
    colour = fields.Selection(AD_COLOURS, required=True, default="colour")
    rate_card_line_id = fields.Many2one(
        "publication.rate.card.line",
        string="Rate Card Price",
        compute="_compute_rate_card_line_id",
        store=True,
    )
    list_price = fields.Monetary(
        compute="_compute_rate_card_line_id",
        store=True,
        help="Price per insertion of the rate card valid on the issue date.",
    )
    tier_discount = fields.Float(
        string="Frequency Discount (%)",
        compute="_compute_tier_discount",
        store=True,
        readonly=False,
        digits=(5, 2),
        help="Earned by the number of insertions of the contract when booked.",
    )
    contract_discount = fields.Float(
        string="Agreed Discount (%)",
        compute="_compute_contract_discount",
        store=True,
        digits=(5, 2),
    )
    price_override = fields.Monetary(
        help="Set by a Publication Manager: replaces the computed price.",
        tracking=True,
        copy=False,
    )
    price = fields.Monetary(
        compute="_compute_price",
        store=True,
        tracking=True,
        help="Rate card price less frequency and agreed discounts, or the manager's "
        "override.",
    )
    deadline_override = fields.Boolean(
        help="Set by a Publication Manager: accept this booking (or its "
        "cancellation) after the issue's deadline.",
        tracking=True,
        copy=False,
    )
    material_attachment_ids = fields.Many2many(
        "ir.attachment", string="Material", copy=False
    )
    material_date = fields.Date(string="Material Received On", copy=False)
    material_reminder_date = fields.Date(
        string="Material Reminder Sent", copy=False, readonly=True
    )
    state = fields.Selection(
        BOOKING_STATES,
        required=True,
        default="booked",
        tracking=True,
        copy=False,
        index=True,
    )
    invoice_id = fields.Many2one(
        "account.move", copy=False, readonly=True, index="btree_not_null"
    )
    invoice_line_id = fields.Many2one("account.move.line", copy=False, readonly=True)
    credited_discount = fields.Float(
        string="Credited Frequency Discount (%)",
        digits=(5, 2),
        copy=False,
        readonly=True,
        help="Frequency discount credited after invoicing (retroactive credit).",
    )
    credit_note_ids = fields.Many2many(
        "account.move",
        "publication_ad_booking_credit_note_rel",
        "booking_id",
        "move_id",
        string="Retroactive Credit Notes",
        copy=False,
        readonly=True,
        help="One per higher frequency discount credited after invoicing.",
    )
    print_run = fields.Integer(related="issue_id.print_run")
    digital_audience = fields.Integer(related="issue_id.digital_audience")

    _issue_invoice_line_uniq = models.Constraint(
        "UNIQUE(invoice_line_id)",
        "A booking is invoiced on its own invoice line, once.",
    )
    # against two users booking the same premium position at the same time;
    # deferred: a booking that does not get it waits as an option (or is
    # refused) before the transaction ends
    _premium_position_uniq = models.Constraint(
        "EXCLUDE USING btree (issue_id WITH =, position WITH =) "
        "WHERE (position IN ('back_cover', 'page_three') "
        "AND state NOT IN ('option', 'cancelled')) DEFERRABLE INITIALLY DEFERRED",
        "A premium position (Back Cover, Page 3) is booked once per issue.",
    )

    @api.depends("contract_id.name", "issue_id.name")
    def _compute_name(self):
        for booking in self:
            booking.name = f"{booking.contract_id.name} / {booking.issue_id.name}"

    @api.depends("ad_format")
    def _compute_space(self):
        for booking in self:
            booking.space = AD_FORMAT_SPACE.get(booking.ad_format, 0.0)

    @api.depends("position", "issue_id.page_count")
    def _compute_page(self):
        for booking in self:
            fixed = booking._fixed_page()
            if fixed:
                booking.page = fixed

    def _fixed_page(self):
        """The page of a premium position in this booking's issue, or 0."""
        self.ensure_one()
        fixed = PREMIUM_POSITIONS.get(self.position, 0)
        if fixed == "last":
            return self.issue_id.page_count
        return fixed if fixed <= self.issue_id.page_count else 0

    @api.depends("material_deadline", "publication_id.material_reminder_days")
    def _compute_material_reminder_due(self):
        for booking in self:
            deadline = booking.material_deadline
            booking.material_reminder_due = deadline and deadline - timedelta(
                days=booking.publication_id.material_reminder_days
            )

    @api.depends("issue_id", "ad_format", "position", "colour")
    def _compute_rate_card_line_id(self):
        RateCard = self.env["publication.rate.card"]
        for booking in self:
            line = self.env["publication.rate.card.line"]
            if booking.issue_id and booking.ad_format:
                card = RateCard._find(booking.publication_id, booking.issue_id.date)
                if card:
                    line = card._get_line(
                        booking.ad_format, booking.position, booking.colour
                    )
            booking.rate_card_line_id = line
            booking.list_price = line.price

    @api.depends("contract_id", "rate_card_line_id")
    def _compute_tier_discount(self):
        for booking in self:
            card = booking.rate_card_line_id.rate_card_id
            if not card or not booking.contract_id:
                booking.tier_discount = 0.0
                continue
            booking.tier_discount = card._tier_discount(booking._insertion_rank())

    def _insertion_rank(self):
        """Rank of this booking among the contract's bookings not cancelled."""
        self.ensure_one()
        domain = [
            ("contract_id", "=", self.contract_id.id),
            ("state", "!=", "cancelled"),
        ]
        if isinstance(self.id, int):
            domain.append(("id", "<", self.id))
        return self.sudo().search_count(domain) + 1

    @api.depends("contract_id")
    def _compute_contract_discount(self):
        for booking in self:
            booking.contract_discount = booking.contract_id.discount

    @api.depends("list_price", "tier_discount", "contract_discount", "price_override")
    def _compute_price(self):
        for booking in self:
            if booking.price_override:
                booking.price = booking.price_override
                continue
            price = (
                booking.list_price
                * (1 - booking.tier_discount / 100)
                * (1 - booking.contract_discount / 100)
            )
            booking.price = (
                booking.currency_id.round(price) if booking.currency_id else price
            )

    # ------------------------------------------------------------------ rules

    def _check_booking_deadline(self):
        today = fields.Date.context_today(self)
        for booking in self:
            deadline = booking.issue_id.booking_deadline
            if deadline and today > deadline and not booking.deadline_override:
                raise UserError(
                    self.env._(
                        "Bookings for issue %(issue)s closed on %(deadline)s "
                        "(Booking Deadline); today is %(today)s. A Publication "
                        "Manager can accept it with Deadline Override.",
                        issue=booking.issue_id.name,
                        deadline=format_date(self.env, deadline),
                        today=format_date(self.env, today),
                    )
                )

    @api.constrains("contract_id", "issue_id")
    def _check_issue(self):
        for booking in self:
            contract = booking.contract_id
            issue = booking.issue_id
            if issue.publication_id != contract.publication_id:
                raise ValidationError(
                    self.env._(
                        "Issue %(issue)s is not an issue of %(publication)s, the "
                        "publication of ad contract %(contract)s.",
                        issue=issue.name,
                        publication=contract.publication_id.name,
                        contract=contract.name,
                    )
                )
            if not contract.date_start <= issue.date <= contract.date_end:
                raise ValidationError(
                    self.env._(
                        "Issue %(issue)s (%(date)s) lies outside the period of ad "
                        "contract %(contract)s (%(start)s to %(end)s).",
                        issue=issue.name,
                        date=format_date(self.env, issue.date),
                        contract=contract.name,
                        start=format_date(self.env, contract.date_start),
                        end=format_date(self.env, contract.date_end),
                    )
                )

    @api.constrains("page", "position", "issue_id")
    def _check_page(self):
        for booking in self:
            if not booking.page:
                continue
            page_count = booking.issue_id.page_count
            if not 1 <= booking.page <= page_count:
                raise ValidationError(
                    self.env._(
                        "Page %(value)s of booking %(name)s is not a page of issue "
                        "%(issue)s, which has pages 1 to %(count)s.",
                        value=booking.page,
                        name=booking.name,
                        issue=booking.issue_id.name,
                        count=page_count,
                    )
                )
            fixed = booking._fixed_page()
            if fixed and booking.page != fixed:
                raise ValidationError(
                    self.env._(
                        "Page %(value)s of booking %(name)s: the %(position)s of "
                        "issue %(issue)s is page %(page)s.",
                        value=booking.page,
                        name=booking.name,
                        position=booking._selection_label("position"),
                        issue=booking.issue_id.name,
                        page=fixed,
                    )
                )

    def _place(self, options=False):
        """Check that these bookings fit in their issues, in id order, next to
        the bookings placed already: the issue's space for ads, the page's, a
        premium position once. A booking that does not fit waits as an option
        when options is True and its publication takes options; otherwise it
        is refused. Returns the bookings put on option."""
        if not self:
            return self
        issues = self.issue_id
        # one booking at a time per issue: a concurrent booking of the same
        # issue waits, then fails on the updated row and is tried again
        self.env.cr.execute(
            SQL(
                "UPDATE publication_issue SET id = id WHERE id IN %s",
                tuple(issues.ids),
            )
        )
        self.flush_model()
        used = self._space_used(issues)
        waiting = self.browse()
        for booking in self.sorted("id"):
            reason = booking._space_refusal(used)
            if not reason:
                booking._use_space(used)
                continue
            if options and booking.publication_id.overbooking == "option":
                waiting |= booking
                continue
            raise UserError(reason)
        waiting._write_state({"state": "option"})
        return waiting

    def _space_used(self, issues):
        """The space taken in these issues by the bookings placed, other than
        these: {(issue, "pages" or page or position): pages}."""
        others = Domain("issue_id", "in", issues.ids) & Domain(
            "state", "in", PLACED_STATES
        )
        others &= Domain("id", "not in", self.ids)
        used = defaultdict(float)
        for issue, page, position, space in self.sudo()._read_group(
            others, ["issue_id", "page", "position"], ["space:sum"]
        ):
            for key in ("pages", page, position):
                used[issue, key] += space
        return used

    def _use_space(self, used):
        self.ensure_one()
        for key in ("pages", self.page, self.position):
            used[self.issue_id, key] += self.space

    def _announce_options_that_fit(self, issues):
        """Space was freed in these issues: the options waiting there that
        fit now (in id order) get a to-do for their salesperson to confirm
        them, once."""
        options = self.sudo().search(
            [("issue_id", "in", issues.ids), ("state", "=", "option")], order="id"
        )
        if not options:
            return
        used = options._space_used(issues)
        activity_type = self.env.ref(OPTION_FITS)
        announced = options.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        ).mapped("res_id")
        for option in options:
            if option._space_refusal(used):
                continue
            option._use_space(used)
            if option.id in announced:
                continue
            option.activity_schedule(
                OPTION_FITS,
                summary=self.env._(
                    "Space free in %(issue)s", issue=option.issue_id.name
                ),
                note=self.env._(
                    "Option %(name)s of %(advertiser)s fits in issue %(issue)s "
                    "now: confirm it.",
                    name=option.name,
                    advertiser=option.partner_id.display_name,
                    issue=option.issue_id.name,
                ),
                user_id=(option.user_id or self.env.user).id,
            )

    def _space_refusal(self, used):
        """Why this booking does not fit next to the space used (by issue,
        page and premium position), or an empty string."""
        self.ensure_one()
        issue = self.issue_id
        format_label = self._selection_label("ad_format")
        if self.position in PREMIUM_POSITIONS and (issue, self.position) in used:
            return self.env._(
                "The %(position)s of issue %(issue)s is booked already: a premium "
                "position is booked once per issue.",
                position=self._selection_label("position"),
                issue=issue.name,
            )
        if not issue.page_count:
            return ""
        ad_pages = issue.page_count - issue.editorial_pages
        issue_left = ad_pages - used[issue, "pages"]
        page_left = 1.0 - used[issue, self.page] if self.page else issue_left
        if (
            float_compare(self.space, min(issue_left, page_left), precision_digits=4)
            <= 0
        ):
            return ""
        values = {
            "format": format_label,
            "issue": issue.name,
            "pages": ad_pages,
            "page": self.page,
        }
        if float_compare(self.space, issue_left, precision_digits=4) > 0:
            return self.env._(
                "A %(format)s does not fit in issue %(issue)s: %(left)s of its "
                "%(pages)s pages for ads are left.",
                left=round(max(issue_left, 0.0), 4),
                **values,
            )
        return self.env._(
            "A %(format)s does not fit on page %(page)s of issue %(issue)s: "
            "%(left)s of the page is left.",
            left=round(max(page_left, 0.0), 4),
            **values,
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_guarded_fields(vals, creating=True)
            contract = self.env["publication.ad.contract"].browse(
                vals.get("contract_id")
            )
            if contract and contract.state != "confirmed":
                raise UserError(
                    self.env._(
                        "Ad contract %(contract)s is %(state)s: book insertions on a "
                        "confirmed contract.",
                        contract=contract.name,
                        state=dict(
                            contract._fields["state"]._description_selection(self.env)
                        )[contract.state],
                    )
                )
        bookings = super().create(vals_list)
        bookings._check_booking_deadline()
        for booking in bookings:
            if not booking.rate_card_line_id and not booking.price_override:
                raise UserError(
                    self.env._(
                        "No rate card of %(publication)s valid on %(date)s has a "
                        "price for %(format)s, %(position)s, %(colour)s: add it to "
                        "the rate card or set a Price Override.",
                        publication=booking.publication_id.name,
                        date=format_date(self.env, booking.issue_date),
                        format=booking._selection_label("ad_format"),
                        position=booking._selection_label("position"),
                        colour=booking._selection_label("colour"),
                    )
                )
        bookings._place(options=True)
        bookings.contract_id._apply_retroactive_tiers()
        return bookings

    def write(self, vals):
        self._check_guarded_fields(vals)
        if set(vals) & set(PRICE_FIELDS):
            invoiced = self.filtered(lambda b: b.state == "invoiced")
            if invoiced:
                raise UserError(
                    self.env._(
                        "Booking %(name)s is invoiced: its issue, format and price "
                        "can no longer change.",
                        name=invoiced[0].name,
                    )
                )
        moved = self.browse()
        if set(vals) & set(PLACEMENT_FIELDS):
            moved = self.filtered(lambda b: b.state in PLACED_STATES)
        left_issues = moved.issue_id
        result = super().write(vals)
        if "issue_id" in vals:
            self._check_booking_deadline()
        if moved:
            moved._place()
            self._announce_options_that_fit(left_issues)
        return result

    def _selection_label(self, field):
        return dict(self._fields[field]._description_selection(self.env)).get(
            self[field], self[field]
        )

    # ------------------------------------------------------------------ actions

    def action_material_received(self):
        for booking in self:
            if not booking.material_attachment_ids:
                raise UserError(
                    self.env._(
                        "Attach the advertisement to Material of booking %(name)s "
                        "before marking it received.",
                        name=booking.name,
                    )
                )
            if booking.state != "booked":
                raise UserError(
                    self.env._(
                        "Booking %(name)s is %(state)s, not Booked.",
                        name=booking.name,
                        state=booking._selection_label("state"),
                    )
                )
        self._write_state(
            {"state": "material", "material_date": fields.Date.context_today(self)}
        )
        self.activity_feedback([MATERIAL_MISSING])

    def action_confirm_option(self):
        """Book the options that fit now that space is free (in id order)."""
        for booking in self:
            if booking.state != "option":
                raise UserError(
                    self.env._(
                        "Booking %(name)s is %(state)s, not an option waiting for "
                        "space.",
                        name=booking.name,
                        state=booking._selection_label("state"),
                    )
                )
        self._place()
        self._write_state({"state": "booked"})
        self.activity_feedback([OPTION_FITS])

    def action_cancel(self):
        today = fields.Date.context_today(self)
        for booking in self:
            if booking.state == "invoiced":
                raise UserError(
                    self.env._(
                        "Booking %(name)s is invoiced and cannot be cancelled; "
                        "issue a credit note instead.",
                        name=booking.name,
                    )
                )
            deadline = booking.issue_id.material_deadline
            if deadline and today > deadline and not booking.deadline_override:
                raise UserError(
                    self.env._(
                        "Booking %(name)s can no longer be cancelled: the Material "
                        "Deadline of issue %(issue)s was %(deadline)s. A Publication "
                        "Manager can allow it with Deadline Override.",
                        name=booking.name,
                        issue=booking.issue_id.name,
                        deadline=format_date(self.env, deadline),
                    )
                )
        freed = self.filtered(lambda b: b.state in PLACED_STATES).issue_id
        self._write_state({"state": "cancelled"})
        self.activity_unlink([OPTION_FITS])
        self._announce_options_that_fit(freed)

    # ------------------------------------------------------------------ reminders

    @api.model
    def _company_today_domain(self, domain_for):
        """domain_for(today) for the bookings of each company, with the
        company's date (in its time zone) as today."""
        companies = [
            company
            for [company] in self.env["publication.publication"]
            .with_context(active_test=False)
            ._read_group([("company_id", "!=", False)], ["company_id"])
        ]
        return Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain(domain_for(company._publication_today()))
            for company in companies
        )

    @api.model
    def _material_reminder_domain(self):
        return self._company_today_domain(
            lambda today: [
                ("state", "=", "booked"),
                ("material_reminder_date", "=", False),
                ("material_reminder_due", "<=", today),
                ("material_deadline", ">=", today),
                ("contract_id.state", "=", "confirmed"),
            ]
        )

    @api.model
    def _cron_material_reminders(self, batch_size=None):
        """Remind advertisers (or agencies) of missing material before the deadline.

        A booking is reminded once: the date of the reminder is recorded."""
        return self.env["publication.automation"]._run(
            self,
            [(self._material_reminder_domain(), "_send_material_reminder", None)],
            batch_size=batch_size,
        )

    def _send_material_reminder(self):
        template = self.env.ref("publication_crm.mail_template_ad_material_reminder")
        for booking in self:
            template.send_mail(booking.id)
            user = booking.user_id or self.env.user
            booking.activity_schedule(
                MATERIAL_MISSING,
                date_deadline=booking.material_deadline,
                summary=self.env._(
                    "Material missing for %(issue)s", issue=booking.issue_id.name
                ),
                note=self.env._(
                    "%(advertiser)s has not delivered the material of booking "
                    "%(name)s; the Material Deadline is %(deadline)s.",
                    advertiser=booking.partner_id.display_name,
                    name=booking.name,
                    deadline=user.partner_id._publication_format_date(
                        booking.material_deadline
                    ),
                ),
                user_id=user.id,
            )
            booking._write_state(
                {"material_reminder_date": booking.company_id._publication_today()}
            )
            booking._message_log(
                body=self.env._(
                    "Material reminder queued for %(partner)s.",
                    partner=booking.invoice_partner_id.display_name,
                )
            )

    # ------------------------------------------------------------------ invoicing

    @api.model
    def _to_invoice_domain(self):
        return self._company_today_domain(
            lambda today: [
                ("state", "in", TO_INVOICE_STATES),
                ("invoice_line_id", "=", False),
                ("issue_date", "<=", today),
                ("contract_id.state", "in", ("confirmed", "done")),
            ]
        )

    @api.model
    def _cron_invoice_ads(self, batch_size=None):
        """Invoice the bookings of published issues, in batches.

        The bookings of one invoice (company, issue, invoiced partner) are in
        the same batch; when a batch fails, each invoice is tried on its own: a
        failing advertiser's bookings stay Published with the reason on them,
        and the others are invoiced. A booking linked to its invoice line is
        never invoiced again."""
        to_invoice = self._to_invoice_domain()
        to_mark = Domain.AND([to_invoice, [("state", "in", ("booked", "material"))]])
        return self.env["publication.automation"]._run(
            self,
            [(to_mark, "_mark_published", None), (to_invoice, "_invoice", None)],
            batch_size=batch_size,
            group_by=INVOICE_GROUP_FIELDS,
        )

    def _mark_published(self):
        self.filtered(lambda b: b.state in ("booked", "material"))._write_state(
            {"state": "published"}
        )

    def _invoice_groups(self):
        """Bookings to invoice, grouped by company, issue and invoiced partner."""
        todo = self.filtered(
            lambda b: (
                b.state in TO_INVOICE_STATES
                and not b.invoice_line_id
                and b.contract_id.state in ("confirmed", "done")
            )
        )
        return todo.grouped(
            lambda b: tuple(b[name] for name in INVOICE_GROUP_FIELDS)
        ).items()

    def _invoice(self):
        """Invoice these bookings (published issues only), at most once."""
        self._mark_published()
        return self._create_invoices()

    def _create_invoices(self):
        """One posted invoice per company, issue and invoiced partner: a line per
        booking and, for agencies, a negative commission line per contract."""
        groups = list(self._invoice_groups())
        moves = self.env["account.move"]
        for company in {key[0] for key, _group in groups}:
            company_groups = [(key, g) for key, g in groups if key[0] == company]
            vals_list = [
                group._prepare_invoice(key[2]) for key, group in company_groups
            ]
            company_moves = self.env["account.move"]._create_posted_publication_moves(
                company, vals_list
            )
            for (_key, group), move in zip(company_groups, company_moves, strict=True):
                lines = move.invoice_line_ids.sorted("id")
                for booking, line in zip(group, lines, strict=False):
                    booking._write_state(
                        {
                            "state": "invoiced",
                            "invoice_id": move.id,
                            "invoice_line_id": line.id,
                        }
                    )
            moves |= company_moves
        return moves

    def _prepare_invoice(self, partner):
        lines = [Command.create(booking._prepare_invoice_line()) for booking in self]
        for contract, bookings in self.grouped("contract_id").items():
            if contract.agency_id and contract.commission:
                lines.append(
                    Command.create(bookings._prepare_commission_line(contract))
                )
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_origin": ", ".join(self.contract_id.mapped("name")),
            "ref": self.issue_id[:1].name,
            "invoice_line_ids": lines,
        }

    def _get_product(self):
        product = self.publication_id.ad_product_id
        if not product:
            raise UserError(
                self.env._(
                    "Set an Advertising Product on publication %(publication)s "
                    "before invoicing its advertisements.",
                    publication=self.publication_id.name,
                )
            )
        return product

    def _prepare_invoice_line(self):
        self.ensure_one()
        return {
            "product_id": self._get_product().id,
            "name": self.env._(
                "%(issue)s (%(date)s): %(format)s, %(position)s, %(colour)s for "
                "%(advertiser)s",
                issue=self.issue_id.name,
                date=self.invoice_partner_id._publication_format_date(self.issue_date),
                format=self._selection_label("ad_format"),
                position=self._selection_label("position"),
                colour=self._selection_label("colour"),
                advertiser=self.partner_id.display_name,
            ),
            "quantity": 1,
            "price_unit": self.price,
        }

    def _agency_commission(self):
        """Commission (percent) deducted on the invoices of this booking: the
        contract's, when an agency is invoiced."""
        self.ensure_one()
        contract = self.contract_id
        return contract.commission if contract.agency_id else 0.0

    def _prepare_commission_line(self, contract):
        total = sum(self.mapped("price"))
        return {
            "product_id": self[:1]._get_product().id,
            "name": self.env._(
                "Agency commission %(percent)s %% (%(contract)s)",
                percent=contract.commission,
                contract=contract.name,
            ),
            "quantity": 1,
            "price_unit": -contract.currency_id.round(
                total * contract.commission / 100
            ),
        }

    def _prepare_credit_line(self, credited, reached):
        """Credit of the frequency discount raised from credited to reached (in
        percent), net of the agency's commission when the agency is invoiced."""
        self.ensure_one()
        commission = self._agency_commission()
        factor = (
            self.list_price
            * (1 - self.contract_discount / 100)
            * (reached - credited)
            / 100
            * (1 - commission / 100)
        )
        name = self.env._(
            "%(name)s: frequency discount %(reached)s %% instead of %(credited)s %%",
            name=self.name,
            reached=reached,
            credited=credited,
        )
        if commission:
            name = self.env._(
                "%(name)s, less agency commission %(commission)s %%",
                name=name,
                commission=commission,
            )
        line = self.invoice_line_id
        vals = {
            "product_id": line.product_id.id or self._get_product().id,
            "name": name,
            "quantity": 1,
            "price_unit": self.currency_id.round(factor),
        }
        if line:
            vals["tax_ids"] = [Command.set(line.tax_ids.ids)]
            vals["account_id"] = line.account_id.id
        return vals
