from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    publication_subscription_ids = fields.Many2many(
        "publication.subscription",
        string="Subscriptions",
        compute="_compute_publication_subscription_ids",
        groups="publication_crm.group_publication_user",
        help="Subscriptions this invoice or credit note bills or credits.",
    )
    publication_subscription_count = fields.Integer(
        compute="_compute_publication_subscription_ids",
        groups="publication_crm.group_publication_user",
    )
    # the inverse of the periods' invoice: when an invoice's payment changes,
    # the ORM finds the periods to recompute in the cache instead of a query
    publication_period_ids = fields.One2many(
        "publication.subscription.period",
        "invoice_id",
        string="Invoiced Periods",
        readonly=True,
        groups="publication_crm.group_publication_user",
    )

    @api.depends("line_ids.publication_period_id")
    def _compute_publication_subscription_ids(self):
        for move in self:
            lines = move.sudo().line_ids
            subscriptions = lines.publication_period_id.subscription_id.sudo(False)
            move.publication_subscription_ids = subscriptions
            move.publication_subscription_count = len(subscriptions)

    def action_view_publication_subscriptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_subscription_action"
        )
        subscriptions = self.publication_subscription_ids
        if len(subscriptions) == 1:
            action.update(
                views=[(False, "form")], view_mode="form", res_id=subscriptions.id
            )
        else:
            action["domain"] = [("id", "in", subscriptions.ids)]
        action["context"] = {"create": False}
        return action

    @api.model
    def _create_posted_publication_moves(self, company, vals_list):
        """Posted invoices and credit notes of subscriptions and advertisements.

        They are the add-on's doing, not the user's: a Publication User needs no
        accounting rights. Dated at creation, they are posted without the
        per-document recomputation of a date set at posting (twice as fast):
        today, or the context's default invoice date (the demo's history).
        """
        today = (
            self.env.context.get("default_invoice_date") or company._publication_today()
        )
        Move = self.sudo().with_company(company)
        journals = {}
        for vals in vals_list:
            vals.setdefault("invoice_date", today)
            key = (vals.get("move_type", "entry"), vals.get("currency_id"))
            if key not in journals:
                journals[key] = Move._default_journal_of(*key)
            vals.setdefault("journal_id", journals[key].id)
        moves = Move.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True
        ).create(vals_list)
        moves.action_post()
        return moves

    @api.model
    def _default_journal_of(self, move_type, currency_id=None):
        """The journal Odoo chooses for a document of move_type (in currency_id,
        if given) in the current company: found once for a batch of documents
        instead of once each."""
        values = {"move_type": move_type}
        if currency_id:
            values["currency_id"] = currency_id
        return self.new(values)._search_default_journal()

    def _invoice_paid_hook(self):
        """Paid subscription invoices start (or resume) delivery."""
        res = super()._invoice_paid_hook()
        self.sudo().publication_period_ids.subscription_id._on_invoice_paid()
        return res
