from odoo import api, fields, models


class AccountBankingMandate(models.Model):
    """A payer's SEPA direct debit mandate (OCA account_banking_mandate):
    while one is valid, the payer's invoices are collected by direct debit."""

    _inherit = "account.banking.mandate"

    publication_return_count = fields.Integer(
        string="Returned Debits",
        readonly=True,
        copy=False,
        help="Direct debits of this mandate the payer's bank returned. The "
        "mandate is suspended (set to Expired) when they reach the publication's "
        "Returns Before Suspension.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        mandates = super().create(vals_list)
        mandates._sync_publication_payment_mode()
        return mandates

    def write(self, vals):
        partners = self.partner_id
        res = super().write(vals)
        if {"state", "partner_bank_id", "company_id"} & set(vals):
            (
                self | self._publication_mandates_of(partners)
            )._sync_publication_payment_mode()
        return res

    def message_post(self, **kwargs):
        """Under publication_defer_mandate_notes, a plain note (a body only)
        is kept for _publication_log_deferred_notes to log in a batch."""
        if not self.env.context.get("publication_defer_mandate_notes") or set(
            kwargs
        ) != {"body"}:
            return super().message_post(**kwargs)
        self.ensure_one()
        notes = self.env.cr.precommit.data.setdefault(DEFERRED_NOTES, {})
        notes.setdefault(self.id, []).append(kwargs["body"])
        return self.env["mail.message"]

    @api.model
    def _publication_log_deferred_notes(self):
        """Log the notes message_post kept, in batches. A mandate with a
        follower of its notes gets them through message_post, which notifies."""
        notes = self.env.cr.precommit.data.pop(DEFERRED_NOTES, {})
        mandates = self.browse(list(notes)).exists()
        note = self.env.ref("mail.mt_note")
        followed = mandates.message_follower_ids.filtered(
            lambda f: note in f.subtype_ids
        ).mapped("res_id")
        for mandate in mandates.filtered(lambda m: m.id in followed):
            for body in notes[mandate.id]:
                mandate.message_post(body=body)
        notes = {
            key: rest
            for key, rest in notes.items()
            if key in mandates.ids and key not in followed
        }
        while notes:
            bodies = {key: rest.pop(0) for key, rest in notes.items()}
            self.browse(list(bodies))._message_log_batch(bodies=bodies)
            notes = {key: rest for key, rest in notes.items() if rest}

    @api.model
    def _publication_mandates_of(self, partners):
        return self.search([("partner_id", "in", partners.ids)])

    def _sync_publication_payment_mode(self):
        """A payer with a valid mandate pays by direct debit: their customer
        payment mode becomes the company's direct debit mode (their new
        invoices get it and the mandate) and their open invoices are switched
        to it; a payer left without a valid mandate falls back to ordinary
        invoices (the mode is removed from them and from the open invoices)."""
        for company, mandates in self.grouped("company_id").items():
            mode = self.env["account.payment.mode"]._publication_direct_debit_mode(
                company
            )
            if not mode:
                continue
            payers = mandates.partner_id.commercial_partner_id
            valid = (
                self.sudo()
                .search(
                    [
                        ("partner_id", "child_of", payers.ids),
                        ("company_id", "=", company.id),
                        ("state", "=", "valid"),
                    ]
                )
                .partner_id.commercial_partner_id
            )
            payers = payers.sudo().with_company(company)
            to_debit = (
                valid.sudo()
                .with_company(company)
                .filtered(lambda p, m=mode: p.customer_payment_mode_id != m)
            )
            to_invoice = (payers - valid).filtered(
                lambda p, m=mode: p.customer_payment_mode_id == m
            )
            to_debit.write({"customer_payment_mode_id": mode.id})
            to_invoice.write({"customer_payment_mode_id": False})
            Move = self.env["account.move"].sudo().with_company(company)
            open_domain = [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("line_ids.payment_line_ids", "=", False),
            ]
            if to_debit:
                Move.search(
                    [
                        *open_domain,
                        ("commercial_partner_id", "in", to_debit.ids),
                        ("payment_mode_id", "=", False),
                        ("publication_period_ids", "!=", False),
                    ]
                ).write({"payment_mode_id": mode.id})
            if valid:
                # a replaced mandate: the open invoices take the valid one
                stale = Move.search(
                    [
                        *open_domain,
                        ("commercial_partner_id", "in", valid.ids),
                        ("payment_mode_id", "=", mode.id),
                        "|",
                        ("mandate_id", "=", False),
                        ("mandate_id.state", "!=", "valid"),
                    ]
                )
                for payer, moves in stale.grouped("commercial_partner_id").items():
                    moves.write(
                        {"mandate_id": payer.with_company(company).valid_mandate_id.id}
                    )
            if to_invoice:
                Move.search(
                    [
                        *open_domain,
                        ("commercial_partner_id", "in", to_invoice.ids),
                        ("payment_mode_id", "=", mode.id),
                    ]
                ).write({"payment_mode_id": False})

    def _publication_count_return(self, reasons):
        """One more returned debit for each mandate (reasons: its return
        reason codes). A mandate whose returns reach the limit of the
        publication, or whose bank says the account or mandate is gone, is
        suspended (Expired): its payer falls back to ordinary invoices."""
        to_suspend = self.browse()
        limits = self._publication_return_limits()
        for mandate in self:
            code = reasons.get(mandate.id)
            count = mandate.publication_return_count + 1
            mandate.publication_return_count = count
            if mandate.state == "valid" and (
                count >= limits[mandate.id] or code in FINAL_RETURN_CODES
            ):
                to_suspend |= mandate
        for mandate in to_suspend:
            mandate.message_post(
                body=self.env._(
                    "Suspended after %(count)s returned direct debits (last "
                    "reason: %(reason)s): the payer is invoiced again.",
                    count=mandate.publication_return_count,
                    reason=reasons.get(mandate.id) or "-",
                )
            )
        to_suspend.write({"state": "expired"})
        return to_suspend

    def _publication_return_limits(self):
        """{mandate id: the smallest Returns Before Suspension of the
        publications its payer (or one of the payer's contacts) subscribes
        to}, for all the mandates in one search."""
        payers = self.partner_id.commercial_partner_id
        subscriptions = (
            self.env["publication.subscription"]
            .sudo()
            .search([("payer_id", "child_of", payers.ids)])
        )
        limits = {payer.id: [] for payer in payers}
        for subscription in subscriptions:
            limit = subscription.publication_id.direct_debit_return_limit
            if limit <= 0:
                continue
            partner = subscription.payer_id  # the payer or one of their contacts
            while partner:
                if partner.id in limits:
                    limits[partner.id].append(limit)
                partner = partner.parent_id
        return {
            mandate.id: min(
                limits[mandate.partner_id.commercial_partner_id.id],
                default=DEFAULT_RETURN_LIMIT,
            )
            for mandate in self
        }


DEFAULT_RETURN_LIMIT = 2
DEFERRED_NOTES = "publication_crm.deferred_mandate_notes"
# ISO 20022 return reasons after which the mandate cannot be used again:
# account closed, blocked or wrong, no or cancelled mandate, debtor deceased
FINAL_RETURN_CODES = {"AC01", "AC04", "AC06", "MD01", "MD07"}
