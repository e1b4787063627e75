from odoo import Command, api, fields, models

# the cursor cache's key of the last numbers read while a batch is posted
LAST_SEQUENCES = "publication_crm.last_sequences"


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
            currency = vals.get("currency_id") or journals[key].currency_id.id
            if not currency or currency == company.currency_id.id:
                self._add_line_amounts(vals, company.currency_id)
        cache = self.env.cr.cache
        cache[LAST_SEQUENCES] = {}
        try:
            moves = Move.with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True
            ).create(vals_list)
            moves.action_post()
        finally:
            cache.pop(LAST_SEQUENCES, None)
        return moves

    @api.model
    def _add_line_amounts(self, vals, currency):
        """Give each new line of customer invoice or credit note vals (in the
        company's currency) the amount of its price, quantity and discount,
        computed as Odoo computes it. Odoo would otherwise write every line
        again after creating it (a fifth of a renewal's time); it still checks
        the amounts and corrects those that differ (taxes in the price)."""
        sign = {"out_invoice": -1, "out_refund": 1}.get(vals.get("move_type"))
        if not sign:
            return
        Line = self.env["account.move.line"]
        for command in vals.get("invoice_line_ids", ()):
            line = command[2] if command[0] == Command.CREATE else None
            if (
                not line
                or line.get("display_type", "product") != "product"
                or "price_unit" not in line
                or "amount_currency" in line
                or "balance" in line
            ):
                continue
            price, quantity, discount = (
                Line._fields[name].convert_to_cache(line.get(name, default), Line)
                for name, default in (
                    ("price_unit", 0.0),
                    ("quantity", 1.0),
                    ("discount", 0.0),
                )
            )
            amount = sign * currency.round(quantity * (price * (1 - discount / 100.0)))
            line["amount_currency"] = line["balance"] = amount

    def _get_last_sequence(self, relaxed=False, with_prefix=None):
        """While _create_posted_publication_moves posts a batch, the journal's
        last number is read once per journal, date and kind of document instead
        of once per document (three queries each). It only gives the number's
        format: Odoo's _locked_increment takes the next number from its own
        cache once the first document of the batch holds the journal's lock, or
        tries the next ones until one is free."""
        batch = self.env.cr.cache.get(LAST_SEQUENCES)
        if batch is None or (self.name and self.name != "/"):
            return super()._get_last_sequence(relaxed, with_prefix)
        key = (
            self.journal_id.id,
            self.date,
            self.move_type,
            bool(self.origin_payment_id),
            self.journal_id.is_self_billing and self.commercial_partner_id.id,
            relaxed,
            with_prefix,
        )
        if key not in batch:
            batch[key] = super()._get_last_sequence(relaxed, with_prefix)
        return batch[key]

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
