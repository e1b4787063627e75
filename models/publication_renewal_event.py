from odoo import api, fields, models

EVENT_KINDS = [
    ("reminder", "Renewal Reminder"),
    ("staff", "Staff Follow-up"),
    ("conversion", "Continuous Offer"),
    ("renewal", "Renewal"),
    ("expiry", "Expiry"),
    ("winback", "Win-back Offer"),
    ("dunning", "Payment Reminder"),
    ("suspension", "Suspension"),
    ("trial_offer", "Trial Conversion Offer"),
    ("trial_conversion", "Trial Converted"),
    ("gift_conversion", "Gift Converted"),
]


# what a reader does in answer to a campaign
RESPONSE_KINDS = ("renewal",)


class PublicationRenewalEvent(models.Model):
    """What the renewal automation did. Its unique indexes are the last guard
    against a reminder or an offer being sent twice; a renewal is guarded by the
    period's unique start. A renewal reminder is sent once per step and term
    end: when a pause moves the end, the reminders for the new end are new."""

    _name = "publication.renewal.event"
    _description = "Renewal Event"
    _order = "date desc, id desc"
    _rec_name = "kind"

    subscription_id = fields.Many2one(
        "publication.subscription", required=True, ondelete="cascade", index=True
    )
    publication_id = fields.Many2one(
        related="subscription_id.publication_id", store=True, index=True
    )
    company_id = fields.Many2one(related="subscription_id.company_id", store=True)
    payer_id = fields.Many2one(related="subscription_id.payer_id", store=True)
    period_id = fields.Many2one(
        "publication.subscription.period", ondelete="cascade", index="btree_not_null"
    )
    step_id = fields.Many2one("publication.reminder.step", ondelete="set null")
    kind = fields.Selection(EVENT_KINDS, required=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    date_term_end = fields.Date(
        string="Term End",
        readonly=True,
        help="End of the subscription when the event happened.",
    )
    invoice_id = fields.Many2one("account.move")
    amount = fields.Monetary(related="period_id.amount", store=True)
    currency_id = fields.Many2one(related="subscription_id.currency_id")
    campaign_id = fields.Many2one(
        "utm.campaign",
        index="btree_not_null",
        help="Of a renewal: the campaign that led to it (the renewal link's, or "
        "the last mailing or postal mailing that reached the reader before).",
    )

    _step_once = models.UniqueIndex(
        "(subscription_id, kind, step_id, date_term_end) "
        "WHERE step_id IS NOT NULL AND kind IN ('reminder', 'staff')",
        "A renewal reminder step is sent once per end of a subscription.",
    )
    _dunning_once = models.UniqueIndex(
        "(period_id, step_id) WHERE step_id IS NOT NULL AND kind = 'dunning'",
        "A payment reminder step is sent once per subscription period.",
    )
    _offer_once = models.UniqueIndex(
        "(subscription_id, kind) WHERE kind IN "
        "('conversion', 'winback', 'expiry', 'trial_offer', 'trial_conversion', "
        "'gift_conversion')",
        "An offer or an expiry happens once per subscription.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        subscriptions = self.env["publication.subscription"].browse(
            [vals["subscription_id"] for vals in vals_list]
        )
        for vals, subscription in zip(vals_list, subscriptions, strict=True):
            vals.setdefault("date_term_end", subscription.date_end)
        self._attribute_campaigns(vals_list, subscriptions)
        return super().create(vals_list)

    def _attribute_campaigns(self, vals_list, subscriptions):
        """A renewal answers the campaign of the link it was made from, or the
        last campaign that reached its reader."""
        renewals = [
            (vals, subscription)
            for vals, subscription in zip(vals_list, subscriptions, strict=True)
            if vals["kind"] in RESPONSE_KINDS and "campaign_id" not in vals
        ]
        if not renewals:
            return
        linked = self.env["publication.subscription"]._campaign_from_link()
        reaching = (
            {}
            if linked
            else subscriptions.browse(
                {s.id for _vals, s in renewals}
            )._campaign_reaching()
        )
        for vals, subscription in renewals:
            vals["campaign_id"] = linked.id or reaching.get(subscription.id, False)
