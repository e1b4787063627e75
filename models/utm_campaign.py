from odoo import fields, models


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    publication_cost = fields.Float(
        string="Campaign Cost",
        help="What the campaign cost (printing, postage, design): the campaign "
        "report divides it by the responses.",
    )
    publication_subscription_ids = fields.One2many(
        "publication.subscription", "campaign_id", string="Subscriptions"
    )
    publication_subscription_count = fields.Integer(
        compute="_compute_publication_subscription_count",
        string="Subscription Count",
    )

    publication_response_count = fields.Integer(
        compute="_compute_publication_results", string="Responses"
    )
    publication_revenue = fields.Float(
        compute="_compute_publication_results", string="Revenue"
    )

    def _compute_publication_results(self):
        results = {
            row.campaign_id: row
            for row in self.env["publication.campaign.report"].search(
                [("campaign_id", "in", self.ids)]
            )
        }
        for campaign in self:
            row = results.get(campaign)
            campaign.publication_response_count = row.response_count if row else 0
            campaign.publication_revenue = row.revenue if row else 0.0

    def action_view_publication_results(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_campaign_report_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        return action

    def _compute_publication_subscription_count(self):
        groups = dict(
            self.env["publication.subscription"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]
            )
        )
        for campaign in self:
            campaign.publication_subscription_count = groups.get(campaign, 0)

    def action_view_publication_subscriptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "publication_crm.publication_subscription_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action
