"""Campaigns on subscriptions: the stored criteria segments search, the
subscription as an Email Marketing target and the campaign it is attributed to."""

import operator as py_operator
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.http import request
from odoo.tools import SQL

from .publication_subscription import OPEN_STATES

# a renewal or a new subscription answers a campaign that reached its payer or
# its reader at most this many days before
ATTRIBUTION_DAYS = 60
COMPLAINT_DAYS = 90
OPERATORS = {
    "=": py_operator.eq,
    "!=": py_operator.ne,
    "<": py_operator.lt,
    "<=": py_operator.le,
    ">": py_operator.gt,
    ">=": py_operator.ge,
}
MAILING_TO = [("payer_id", "Payer"), ("recipient_id", "Recipient")]


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"
    _mailing_enabled = True

    date_end_month = fields.Char(
        string="End Month",
        compute="_compute_date_end_month",
        store=True,
        help="Month of the end, as YYYY-MM.",
    )
    tenure_months = fields.Integer(
        string="Tenure (months)",
        compute="_compute_tenure_months",
        store=True,
        help="Months from its start to its current end.",
    )
    zip = fields.Char(
        related="delivery_address_id.zip", store=True, string="Postal Code"
    )
    region_id = fields.Many2one(
        related="delivery_address_id.state_id", store=True, string="Region"
    )
    country_id = fields.Many2one(
        related="delivery_address_id.country_id", store=True, string="Country"
    )
    lang = fields.Selection(related="recipient_id.lang", store=True, string="Language")
    acquisition_source_id = fields.Many2one(
        related="recipient_id.acquisition_source_id", store=True
    )
    payer_is_advertiser = fields.Boolean(
        related="payer_id.is_advertiser", store=True, string="Payer Advertises"
    )
    payer_key_account = fields.Boolean(
        related="payer_id.publication_key_account",
        store=True,
        string="Payer Is a Key Account",
    )
    recipient_email = fields.Char(related="recipient_id.email", string="Reader Email")
    payer_email = fields.Char(related="payer_id.email")
    pause_count = fields.Integer(compute="_compute_pause_count", store=True)
    payment_reminder_count = fields.Integer(
        string="Payment Reminders",
        compute="_compute_payment_reminder_count",
        store=True,
        help="Payment reminders sent for its invoices: a late payer has some.",
    )
    revenue = fields.Monetary(
        compute="_compute_revenue",
        store=True,
        help="Invoiced for its periods, less what was credited.",
    )
    complaint_count = fields.Integer(
        string="Complaints (90 days)",
        compute="_compute_complaint_count",
        search="_search_complaint_count",
        help="Complaints received in the last 90 days.",
    )

    _date_end_month_idx = models.Index("(date_end_month, state)")

    @api.depends("date_end")
    def _compute_date_end_month(self):
        for subscription in self:
            end = subscription.date_end
            subscription.date_end_month = end.strftime("%Y-%m") if end else False

    @api.depends("date_start", "date_end")
    def _compute_tenure_months(self):
        for subscription in self:
            start, end = subscription.date_start, subscription.date_end
            if start and end:
                span = relativedelta(end + timedelta(days=1), start)
                subscription.tenure_months = span.years * 12 + span.months
            else:
                subscription.tenure_months = 0

    def _count_by_subscription(self, model, domain):
        groups = (
            self.env[model]
            .sudo()
            ._read_group(
                [("subscription_id", "in", self._origin.ids), *domain],
                ["subscription_id"],
                ["__count"],
            )
        )
        return {subscription.id: count for subscription, count in groups}

    @api.depends("pause_ids")
    def _compute_pause_count(self):
        counts = self._count_by_subscription("publication.subscription.pause", [])
        for subscription in self:
            subscription.pause_count = counts.get(subscription._origin.id, 0)

    @api.depends("renewal_event_ids.kind")
    def _compute_payment_reminder_count(self):
        counts = self._count_by_subscription(
            "publication.renewal.event", [("kind", "=", "dunning")]
        )
        for subscription in self:
            subscription.payment_reminder_count = counts.get(subscription._origin.id, 0)

    @api.depends(
        "period_ids.amount", "period_ids.refund_amount", "period_ids.invoice_id"
    )
    def _compute_revenue(self):
        groups = (
            self.env["publication.subscription.period"]
            .sudo()
            ._read_group(
                [
                    ("subscription_id", "in", self._origin.ids),
                    ("invoice_id", "!=", False),
                ],
                ["subscription_id"],
                ["amount:sum", "refund_amount:sum"],
            )
        )
        revenue = {s.id: amount - refund for s, amount, refund in groups}
        for subscription in self:
            subscription.revenue = revenue.get(subscription._origin.id, 0.0)

    def _complaint_since(self):
        today = self.env.company._publication_today()
        return fields.Datetime.to_datetime(today - timedelta(days=COMPLAINT_DAYS))

    def _compute_complaint_count(self):
        counts = self._count_by_subscription(
            "helpdesk.ticket", [("received_date", ">=", self._complaint_since())]
        )
        for subscription in self:
            subscription.complaint_count = counts.get(subscription._origin.id, 0)

    def _search_complaint_count(self, operator, value):
        """Subscriptions by their number of complaints in the last 90 days, in
        one grouped query over the tickets (the complained few)."""
        if operator in ("in", "not in"):
            values = set(value)
            test = (
                (lambda c: c in values)
                if operator == "in"
                else (lambda c: c not in values)
            )
        elif operator in OPERATORS:
            test = lambda c: OPERATORS[operator](c, value)  # noqa: E731
        else:
            return NotImplemented
        self.env["helpdesk.ticket"].flush_model(["subscription_id", "received_date"])
        self.env.cr.execute(
            SQL(
                """SELECT subscription_id, COUNT(*) FROM helpdesk_ticket
                    WHERE subscription_id IS NOT NULL AND received_date >= %s
                 GROUP BY subscription_id""",
                self._complaint_since(),
            )
        )
        counts = dict(self.env.cr.fetchall())
        if test(0):
            return [("id", "not in", [k for k, c in counts.items() if not test(c)])]
        return [("id", "in", [k for k, c in counts.items() if test(c)])]

    # ------------------------------------------------------------------
    # Email Marketing target
    # ------------------------------------------------------------------
    @api.model
    def _mailing_get_default_domain(self, mailing):
        return [("state", "in", OPEN_STATES)]

    @api.model
    def _mail_get_partner_fields(self, introspect_fields=False):
        """Whom a subscription's mails go to: its payer (renewal, payment and
        confirmation mails, in the payer's language), or for a mailing the
        payer or the reader, as its Send To says (publication_mailing_to in
        the context). Not the other partner fields: the delivery address and
        the reader of a gift are not the customer."""
        to = self.env.context.get("publication_mailing_to")
        return [to if to in dict(MAILING_TO) else "payer_id"]

    def _one_per_address(self, partner_field):
        """The first of self for each e-mail address of partner_field."""
        seen = set()
        keep = []
        for subscription in self:
            email = subscription[partner_field].email_normalized
            if email and email in seen:
                continue
            seen.add(email)
            keep.append(subscription.id)
        return self.browse(keep)

    # ------------------------------------------------------------------
    # Attribution
    # ------------------------------------------------------------------
    def _attribute_to_campaigns(self):
        """New subscriptions without a campaign (renewals excepted): the
        campaign that reached their payer or reader (_campaign_reaching)."""
        unattributed = self.filtered(
            lambda s: not s.campaign_id and s.origin != "renewal"
        )
        campaigns = unattributed._campaign_reaching()
        for subscription in unattributed:
            if campaigns.get(subscription.id):
                subscription.campaign_id = campaigns[subscription.id]

    @api.model
    def _campaign_from_link(self):
        """The campaign named by the utm_campaign of the link the reader came
        from (a parameter of the page, kept in a cookie by utm), if known."""
        Campaign = self.env["utm.campaign"].sudo()
        if not request:
            return Campaign
        name = request.params.get("utm_campaign") or request.cookies.get(
            "odoo_utm_campaign"
        )
        return Campaign.search([("name", "=", name)], limit=1) if name else Campaign

    def _campaign_reaching(self, day=None):
        """{subscription id: utm.campaign id} of the latest e-mail or postal
        campaign that reached the payer or the reader of each subscription
        (or a contact of the same commercial partner) in the ATTRIBUTION_DAYS
        before day (today), in one query. A mail reached the partner it went
        to: for a mailing to subscriptions, the payer or the reader of the
        mailed one as its Send To said, whatever the subscription answering."""
        if not self:
            return {}
        day = day or self.env.company._publication_today()
        since = day - timedelta(days=ATTRIBUTION_DAYS)
        self.flush_model(["payer_id", "recipient_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["mailing.trace"].flush_model()
        self.env["mailing.mailing"].flush_model(["sent_date", "publication_mailing_to"])
        self.env["publication.postal.mailing.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """WITH subs AS (
                    SELECT s.id, payer.commercial_partner_id AS payer,
                           reader.commercial_partner_id AS reader
                      FROM publication_subscription s
                      JOIN res_partner payer ON payer.id = s.payer_id
                      JOIN res_partner reader ON reader.id = s.recipient_id
                     WHERE s.id = ANY(%(ids)s)
                ), contacts AS (
                    SELECT id, commercial_partner_id AS commercial FROM res_partner
                     WHERE commercial_partner_id IN (
                           SELECT payer FROM subs UNION SELECT reader FROM subs)
                ), touches AS (
                    SELECT c.commercial, t.campaign_id,
                           COALESCE(t.sent_datetime, m.sent_date)::date AS day
                      FROM contacts c
                      JOIN publication_subscription ms
                        ON c.id IN (ms.payer_id, ms.recipient_id)
                      JOIN mailing_trace t ON t.model = 'publication.subscription'
                       AND t.res_id = ms.id
                      JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                     WHERE c.id = CASE m.publication_mailing_to
                                  WHEN 'recipient_id' THEN ms.recipient_id
                                  ELSE ms.payer_id END
                       AND %(reaching)s
                     UNION ALL
                    SELECT c.commercial, t.campaign_id,
                           COALESCE(t.sent_datetime, m.sent_date)::date
                      FROM contacts c
                      JOIN mailing_trace t ON t.model = 'res.partner'
                       AND t.res_id = c.id
                      JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                     WHERE %(reaching)s
                     UNION ALL
                    SELECT c.commercial, l.campaign_id, l.date_sent
                      FROM contacts c
                      JOIN publication_postal_mailing_line l ON l.partner_id = c.id
                     WHERE l.campaign_id IS NOT NULL
                       AND l.date_sent BETWEEN %(since)s AND %(day)s
                )
                SELECT DISTINCT ON (s.id) s.id, t.campaign_id
                  FROM subs s
                  JOIN touches t ON t.commercial IN (s.payer, s.reader)
              ORDER BY s.id, t.day DESC, t.campaign_id DESC""",
                reaching=SQL(
                    """t.campaign_id IS NOT NULL
                       AND t.trace_status NOT IN ('cancel', 'error', 'bounce')
                       AND COALESCE(t.sent_datetime, m.sent_date)::date
                           BETWEEN %s AND %s""",
                    since,
                    day,
                ),
                ids=self.ids,
                since=since,
                day=day,
            )
        )
        return dict(self.env.cr.fetchall())
