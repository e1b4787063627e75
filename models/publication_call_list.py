from odoo import api, fields, models
from odoo.exceptions import UserError

CALL_TO = [("payer_id", "Payer"), ("recipient_id", "Reader")]


class PublicationCallList(models.Model):
    """An outbound call campaign: the contacts of a segment to call, shared
    in turn among the sellers, who offer them one subscription offer for a
    UTM campaign (the sales it brings are attributed to the campaign)."""

    _name = "publication.call.list"
    _description = "Call List"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    segment_id = fields.Many2one(
        "publication.segment",
        required=True,
        help="Whom to call: its contacts, or the payers or readers of its "
        "subscriptions, when the list is generated.",
    )
    segment_model = fields.Selection(related="segment_id.model_name")
    call_to = fields.Selection(
        CALL_TO,
        default="payer_id",
        required=True,
        help="Of a segment of subscriptions: whom to call.",
    )
    campaign_id = fields.Many2one(
        "utm.campaign",
        required=True,
        help="The subscriptions sold are attributed to this campaign.",
    )
    plan_id = fields.Many2one(
        "publication.subscription.plan",
        string="Offer",
        required=True,
        check_company=True,
        help="The offer the sellers sell: Sold subscribes the reader to it.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Sellers",
        required=True,
        domain=lambda self: [
            (
                "all_group_ids",
                "in",
                self.env.ref("publication_crm.group_publication_seller").id,
            )
        ],
        help="The calls are shared among them in turn.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    call_ids = fields.One2many("publication.call", "call_list_id", string="Calls")
    call_count = fields.Integer(compute="_compute_call_counts")
    open_call_count = fields.Integer(
        compute="_compute_call_counts", string="Still to Call"
    )

    @api.depends("call_ids.result")
    def _compute_call_counts(self):
        groups = self.env["publication.call"]._read_group(
            [("call_list_id", "in", self.ids)], ["call_list_id", "result"], ["__count"]
        )
        counts, open_counts = {}, {}
        for call_list, result, count in groups:
            counts[call_list] = counts.get(call_list, 0) + count
            if result in ("todo", "not_reached", "callback"):
                open_counts[call_list] = open_counts.get(call_list, 0) + count
        for call_list in self:
            call_list.call_count = counts.get(call_list, 0)
            call_list.open_call_count = open_counts.get(call_list, 0)

    def _segment_partners(self):
        """The partners of the segment today: its contacts, or the payers or
        readers (call_to) of its subscriptions."""
        self.ensure_one()
        records = self.segment_id._records()
        if records._name == "res.partner":
            return records
        return records.mapped(self.call_to)

    def action_generate(self):
        """One call per partner of the segment that may be called
        (res.partner._publication_callable) and is not in the list yet,
        shared among the sellers in turn, in one batched create. Generating
        again adds the partners that entered the segment since."""
        self.ensure_one()
        self.check_access("write")
        if self.state == "done":
            raise UserError(
                self.env._(
                    "Call list %(name)s is done: no calls can be added.",
                    name=self.name,
                )
            )
        sellers = self.user_ids.sorted("id")
        partners = self._segment_partners()._publication_callable()
        partners -= self.call_ids.partner_id
        start = len(self.call_ids)
        self.env["publication.call"].create(
            [
                {
                    "call_list_id": self.id,
                    "partner_id": partner.id,
                    "user_id": sellers[(start + index) % len(sellers)].id,
                }
                for index, partner in enumerate(partners.sorted("id"))
            ]
        )
        self.state = "running"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s calls added to %(name)s.",
                    count=len(partners),
                    name=self.name,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_done(self):
        self.state = "done"

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_call_action"
        )
        action["domain"] = [("call_list_id", "=", self.id)]
        action["context"] = {}
        return action
