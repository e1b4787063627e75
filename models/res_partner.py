from odoo import api, fields, models
from odoo.tools import format_date

from .publication_subscription.publication_subscription import OPEN_STATES


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_since = fields.Date(
        compute="_compute_customer_since",
        store=True,
        readonly=False,
        help="First start of a subscription received or paid; can be set by hand "
        "for customers taken over from an older register.",
    )
    acquisition_source_id = fields.Many2one(
        "utm.source", help="Where the customer came from."
    )
    acquisition_reason = fields.Selection(
        [
            ("recommendation", "Recommendation"),
            ("advertising", "Advertising"),
            ("event", "Event"),
            ("gift", "Received a Gift"),
            ("membership", "Membership"),
            ("website", "Website"),
            ("other", "Other"),
        ],
        help="Why the customer subscribed first.",
    )
    subscription_ids = fields.One2many(
        "publication.subscription", "recipient_id", string="Subscriptions Received"
    )
    paid_subscription_ids = fields.One2many(
        "publication.subscription", "payer_id", string="Subscriptions Paid"
    )
    is_subscriber = fields.Boolean(
        string="Subscriber",
        compute="_compute_publication_roles",
        store=True,
        help="Receives at least one open subscription.",
    )
    is_payer = fields.Boolean(
        string="Payer",
        compute="_compute_publication_roles",
        store=True,
        help="Pays for at least one open subscription.",
    )
    is_advertiser = fields.Boolean(
        string="Advertiser",
        compute="_compute_is_advertiser",
        store=True,
        help="Buys advertising space in a publication: has a confirmed or "
        "finished ad contract.",
    )
    ad_contract_ids = fields.One2many(
        "publication.ad.contract", "partner_id", string="Ad Contracts"
    )
    ad_contract_count = fields.Integer(compute="_compute_ad_figures")
    ad_booking_count = fields.Integer(compute="_compute_ad_figures")
    ad_invoice_count = fields.Integer(compute="_compute_ad_figures")
    ad_revenue_year = fields.Monetary(
        compute="_compute_ad_figures",
        string="Ad Revenue This Year",
        currency_field="currency_id",
        help="Invoiced bookings in issues of this year, as advertiser or agency.",
    )
    publication_key_account = fields.Boolean(
        string="Key Account",
        help="Renewals of key accounts are followed up by their salesperson "
        "instead of automatic reminder e-mails.",
    )
    publication_paper_letters = fields.Boolean(
        string="Paper Letters",
        help="Invoices and payment reminders of subscriptions go to this payer "
        "as printed letters, also when an e-mail address is known. Payers "
        "without an e-mail address get letters anyway.",
    )
    subscription_count = fields.Integer(compute="_compute_publication_counts")
    paid_subscription_count = fields.Integer(compute="_compute_publication_counts")
    publication_open_invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_publication_open_invoices",
        string="Open Invoices",
        groups="account.group_account_invoice",
        help="Unpaid invoices and credit notes of the current company.",
    )
    publication_open_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_publication_open_invoices",
        groups="account.group_account_invoice",
    )
    publication_open_amount = fields.Monetary(
        compute="_compute_publication_open_invoices",
        string="Amount Due",
        currency_field="publication_open_currency_id",
        groups="account.group_account_invoice",
        help="Still due on the open invoices of the current company, in its currency.",
    )

    @api.depends(
        "subscription_ids.date_start",
        "subscription_ids.state",
        "paid_subscription_ids.date_start",
        "paid_subscription_ids.state",
    )
    def _compute_customer_since(self):
        for partner in self:
            starts = (
                (partner.subscription_ids | partner.paid_subscription_ids)
                .filtered(lambda s: s.state != "draft")
                .mapped("date_start")
            )
            if starts:
                first = min(starts)
                if not partner.customer_since or first < partner.customer_since:
                    partner.customer_since = first

    @api.depends("subscription_ids.state", "paid_subscription_ids.state")
    def _compute_publication_roles(self):
        for partner in self:
            partner.is_subscriber = any(
                s.state in OPEN_STATES for s in partner.subscription_ids
            )
            partner.is_payer = any(
                s.state in OPEN_STATES for s in partner.paid_subscription_ids
            )

    @api.depends("ad_contract_ids.state")
    def _compute_is_advertiser(self):
        for partner in self:
            partner.is_advertiser = any(
                c.state in ("confirmed", "done") for c in partner.ad_contract_ids
            )

    def _ad_domain(self):
        return [
            "|",
            ("partner_id", "in", self.ids),
            ("agency_id", "in", self.ids),
        ]

    def _compute_ad_figures(self):
        contracts = self.env["publication.ad.contract"].search(self._ad_domain())
        bookings = self.env["publication.ad.booking"].search(
            self._ad_domain() + [("state", "!=", "cancelled")]
        )
        year_start = fields.Date.context_today(self).replace(month=1, day=1)
        for partner in self:
            mine = bookings.filtered(
                lambda b, p=partner: p in (b.partner_id, b.agency_id)
            )
            invoiced = mine.filtered(lambda b: b.state == "invoiced")
            partner.ad_contract_count = len(
                contracts.filtered(
                    lambda c, p=partner: p in (c.partner_id, c.agency_id)
                )
            )
            partner.ad_booking_count = len(mine)
            partner.ad_invoice_count = len(invoiced.sudo().invoice_id)
            partner.ad_revenue_year = sum(
                invoiced.filtered(lambda b: b.issue_date >= year_start).mapped("price")
            )

    def _ad_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = self._ad_domain()
        return action

    def action_view_ad_contracts(self):
        action = self._ad_action("publication_crm.publication_ad_contract_action")
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_view_ad_bookings(self):
        return self._ad_action("publication_crm.publication_ad_booking_action")

    def action_view_ad_invoices(self):
        self.ensure_one()
        bookings = self.env["publication.ad.booking"].search(self._ad_domain())
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", bookings.invoice_id.ids)]
        action["context"] = {"create": False}
        return action

    def _compute_publication_counts(self):
        Subscription = self.env["publication.subscription"]
        received = dict(
            Subscription._read_group(
                [("recipient_id", "in", self.ids)], ["recipient_id"], ["__count"]
            )
        )
        paid = dict(
            Subscription._read_group(
                [("payer_id", "in", self.ids)], ["payer_id"], ["__count"]
            )
        )
        for partner in self:
            partner.subscription_count = received.get(partner, 0)
            partner.paid_subscription_count = paid.get(partner, 0)

    @api.depends_context("company")
    def _compute_publication_open_invoices(self):
        """Per company: what is due in the current company, in its currency
        (the residual in company currency), never a sum over currencies."""
        company = self.env.company
        invoices = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        by_partner = invoices.grouped("commercial_partner_id")
        for partner in self:
            open_invoices = by_partner.get(
                partner.commercial_partner_id, self.env["account.move"]
            )
            partner.publication_open_invoice_ids = open_invoices
            partner.publication_open_currency_id = company.currency_id
            partner.publication_open_amount = sum(
                open_invoices.mapped("amount_residual_signed")
            )

    def _open_subscriptions(self, field):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_subscription_action"
        )
        action["domain"] = [(field, "=", self.id)]
        action["context"] = {f"default_{field}": self.id}
        return action

    def action_view_received_subscriptions(self):
        return self._open_subscriptions("recipient_id")

    def action_view_paid_subscriptions(self):
        return self._open_subscriptions("payer_id")

    def _publication_format_date(self, day):
        """day written as this partner reads dates (their language's format),
        for text meant for them: chatter notes that mail them, the lines of
        their invoices, activities of a user's partner. Without a partner or
        language, the current user's format. Errors use the user's format
        (format_date(env, day)); dates that are data stay ISO."""
        return format_date(self.env, day, lang_code=self[:1].lang or None)
