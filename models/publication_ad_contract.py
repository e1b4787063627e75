from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class PublicationAdContract(models.Model):
    _name = "publication.ad.contract"
    _description = "Advertising Contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "publication.guarded.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    # changes through the actions only (Confirm, Done, Cancel, Reset to Draft)
    _guarded_fields = ("state",)
    _guarded_message = _lt(
        "Status of an ad contract changes only through its actions "
        "(Confirm, Done, Cancel, Reset to Draft), not to %(value)s by hand."
    )

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default=lambda self: "/"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Advertiser",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    agency_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="Books on the advertiser's behalf and is invoiced, less its commission.",
    )
    commission = fields.Float(
        string="Agency Commission (%)",
        digits=(5, 2),
        tracking=True,
        help="Deducted from the agency's invoices as a separate line.",
    )
    invoice_partner_id = fields.Many2one(
        "res.partner",
        string="Invoiced To",
        compute="_compute_invoice_partner_id",
        store=True,
        index=True,
    )
    publication_id = fields.Many2one(
        "publication.publication",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="publication_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        index="btree_not_null",
        groups="sales_team.group_sale_salesman",
        copy=False,
    )
    date_start = fields.Date(string="Start", required=True, tracking=True)
    date_end = fields.Date(string="End", required=True, tracking=True)
    commitment = fields.Selection(
        [("insertions", "Number of Insertions"), ("budget", "Budget")],
        required=True,
        default="insertions",
    )
    committed_insertions = fields.Integer(tracking=True)
    committed_amount = fields.Monetary(string="Committed Budget", tracking=True)
    discount = fields.Float(
        string="Agreed Discount (%)",
        digits=(5, 2),
        tracking=True,
        help="Applied to every booking of the contract, after frequency discounts.",
    )
    retroactive_credit = fields.Boolean(
        help="When the contract reaches a higher frequency discount, earlier "
        "bookings get it too: bookings not yet invoiced are repriced, invoiced "
        "ones are credited. Unticked, only later bookings get the new price.",
    )
    state = fields.Selection(
        CONTRACT_STATES, required=True, default="draft", tracking=True, copy=False
    )
    booking_ids = fields.One2many("publication.ad.booking", "contract_id")
    ticket_ids = fields.One2many(
        "helpdesk.ticket", "ad_contract_id", string="Complaints"
    )
    booked_count = fields.Integer(compute="_compute_progress", string="Booked")
    booked_amount = fields.Monetary(compute="_compute_progress")
    invoiced_count = fields.Integer(compute="_compute_progress", string="Invoiced")
    invoiced_amount = fields.Monetary(compute="_compute_progress")
    booked_progress = fields.Float(
        compute="_compute_progress",
        help="Booked against the commitment, in percent.",
    )
    invoiced_progress = fields.Float(
        compute="_compute_progress",
        help="Invoiced against the commitment, in percent.",
    )
    note = fields.Html()

    _agency_not_advertiser = models.Constraint(
        "CHECK(agency_id IS NULL OR agency_id != partner_id)",
        "The agency of a contract must not be its advertiser.",
    )

    @api.depends("partner_id", "agency_id")
    def _compute_invoice_partner_id(self):
        for contract in self:
            contract.invoice_partner_id = contract.agency_id or contract.partner_id

    @api.depends(
        "booking_ids.state",
        "booking_ids.price",
        "committed_insertions",
        "committed_amount",
        "commitment",
    )
    def _compute_progress(self):
        groups = self.env["publication.ad.booking"]._read_group(
            # an option waiting for space is not booked yet
            [
                ("contract_id", "in", self.ids),
                ("state", "not in", ("cancelled", "option")),
            ],
            ["contract_id", "state"],
            ["__count", "price:sum"],
        )
        totals = {}
        for contract, state, count, amount in groups:
            booked = totals.setdefault(contract, [0, 0.0, 0, 0.0])
            booked[0] += count
            booked[1] += amount
            if state == "invoiced":
                booked[2] += count
                booked[3] += amount
        for contract in self:
            booked_count, booked_amount, invoiced_count, invoiced_amount = totals.get(
                contract, [0, 0.0, 0, 0.0]
            )
            contract.booked_count = booked_count
            contract.booked_amount = booked_amount
            contract.invoiced_count = invoiced_count
            contract.invoiced_amount = invoiced_amount
            if contract.commitment == "budget":
                target, booked, invoiced = (
                    contract.committed_amount,
                    booked_amount,
                    invoiced_amount,
                )
            else:
                target, booked, invoiced = (
                    contract.committed_insertions,
                    booked_count,
                    invoiced_count,
                )
            contract.booked_progress = 100.0 * booked / target if target else 0.0
            contract.invoiced_progress = 100.0 * invoiced / target if target else 0.0

    @api.constrains(
        "date_start",
        "date_end",
        "commission",
        "discount",
        "committed_insertions",
        "committed_amount",
    )
    def _check_values(self):
        for contract in self:
            if contract.date_end < contract.date_start:
                raise ValidationError(
                    self.env._(
                        "End (%(end)s) of ad contract %(name)s is before its Start "
                        "(%(start)s).",
                        end=format_date(self.env, contract.date_end),
                        start=format_date(self.env, contract.date_start),
                        name=contract.name,
                    )
                )
            for field in ("commission", "discount"):
                if not 0 <= contract[field] < 100:
                    raise ValidationError(
                        self.env._(
                            "%(field)s must be between 0 and 100, not %(value)s "
                            "(ad contract %(name)s).",
                            field=self._fields[field].get_description(self.env)[
                                "string"
                            ],
                            value=contract[field],
                            name=contract.name,
                        )
                    )
            for field in ("committed_insertions", "committed_amount"):
                if contract[field] < 0:
                    raise ValidationError(
                        self.env._(
                            "%(field)s must not be negative, not %(value)s "
                            "(ad contract %(name)s).",
                            field=self._fields[field].get_description(self.env)[
                                "string"
                            ],
                            value=contract[field],
                            name=contract.name,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_guarded_fields(vals, creating=True)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "publication.ad.contract"
                )
        return super().create(vals_list)

    def write(self, vals):
        self._check_guarded_fields(vals)
        return super().write(vals)

    def action_confirm(self):
        for contract in self:
            if contract.state != "draft":
                raise UserError(
                    self.env._(
                        "Only draft ad contracts can be confirmed; %(name)s is "
                        "%(state)s.",
                        name=contract.name,
                        state=dict(CONTRACT_STATES)[contract.state],
                    )
                )
        self._write_state({"state": "confirmed"})

    def action_done(self):
        self.filtered(lambda c: c.state == "confirmed")._write_state({"state": "done"})

    def action_cancel(self):
        for contract in self:
            if any(b.state == "invoiced" for b in contract.booking_ids):
                raise UserError(
                    self.env._(
                        "Ad contract %(name)s has invoiced bookings and cannot be "
                        "cancelled; close it with Done instead.",
                        name=contract.name,
                    )
                )
        self.booking_ids.filtered(lambda b: b.state != "cancelled").action_cancel()
        self._write_state({"state": "cancelled"})

    def action_draft(self):
        self.filtered(lambda c: c.state == "cancelled")._write_state({"state": "draft"})

    def action_view_bookings(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_ad_booking_action"
        )
        action["domain"] = [("contract_id", "in", self.ids)]
        if len(self) == 1:
            action["context"] = {
                "default_contract_id": self.id,
                "search_default_group_issue": 0,
            }
        return action

    def action_print_insertions(self):
        return self.env.ref(
            "publication_crm.publication_ad_contract_report_action"
        ).report_action(self)

    def _apply_retroactive_tiers(self):
        """Earlier bookings of contracts with retroactive credit get the frequency
        discount the contract reached: repriced while not invoiced, credited once
        invoiced (one credit note per company and invoiced partner)."""
        to_credit = {}
        for contract in self.filtered("retroactive_credit"):
            bookings = contract.booking_ids.filtered(lambda b: b.state != "cancelled")
            count = len(bookings)
            for booking in bookings.filtered(lambda b: not b.price_override):
                card = booking.rate_card_line_id.rate_card_id
                if not card:
                    continue
                reached = card._tier_discount(count)
                if booking.state != "invoiced":
                    if reached > booking.tier_discount:
                        booking._write_state({"tier_discount": reached})
                    continue
                credited = max(booking.tier_discount, booking.credited_discount)
                if reached > credited:
                    to_credit[booking] = (credited, reached)
        if to_credit:
            self._create_retroactive_credits(to_credit)

    def _create_retroactive_credits(self, to_credit):
        Booking = self.env["publication.ad.booking"]
        bookings = Booking.union(*to_credit)
        for company, company_bookings in bookings.grouped("company_id").items():
            groups = list(company_bookings.grouped("invoice_partner_id").items())
            vals_list = [
                {
                    "move_type": "out_refund",
                    "partner_id": partner.id,
                    "invoice_origin": ", ".join(group.contract_id.mapped("name")),
                    "ref": self.env._("Retroactive frequency discount"),
                    "invoice_line_ids": [
                        Command.create(
                            booking._prepare_credit_line(*to_credit[booking])
                        )
                        for booking in group
                    ],
                }
                for partner, group in groups
            ]
            refunds = self.env["account.move"]._create_posted_publication_moves(
                company, vals_list
            )
            for (_partner, group), refund in zip(groups, refunds, strict=True):
                for booking, line in zip(
                    group, refund.invoice_line_ids.sorted("id"), strict=True
                ):
                    booking._write_state(
                        {
                            "credited_discount": to_credit[booking][1],
                            "credit_note_ids": [Command.link(refund.id)],
                        }
                    )
                    booking.message_post(
                        body=self.env._(
                            "Frequency discount raised to %(discount)s %% "
                            "retroactively: credited %(amount)s.",
                            discount=to_credit[booking][1],
                            amount=-line.price_subtotal,
                        )
                    )
