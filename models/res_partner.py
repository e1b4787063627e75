from odoo import api, fields, models

from .publication_subscription import OPEN_STATES


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
        help="Buys advertising space in a publication.",
    )
    publication_key_account = fields.Boolean(
        string="Key Account",
        help="Renewals of key accounts are followed up by their salesperson "
        "instead of automatic reminder e-mails.",
    )
    subscription_count = fields.Integer(compute="_compute_publication_counts")
    paid_subscription_count = fields.Integer(compute="_compute_publication_counts")
    publication_open_invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_publication_open_invoices",
        string="Open Invoices",
        groups="account.group_account_invoice",
    )
    publication_open_amount = fields.Monetary(
        compute="_compute_publication_open_invoices",
        string="Amount Due",
        currency_field="currency_id",
        groups="account.group_account_invoice",
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

    def _compute_publication_open_invoices(self):
        invoices = self.env["account.move"].search(
            [
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
