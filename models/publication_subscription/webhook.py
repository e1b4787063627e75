from odoo import models

# what a subscription's entitlements depend on (report/publication_entitlement.py)
ACCESS_FIELDS = {
    "state",
    "recipient_id",
    "plan_id",
    "delivery_method",
    "origin",
    "date_start",
    "date_end",
    "date_cancel",
    "date_cancel_planned",
}


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    def _trigger_access_push(self, vals):
        """A write of vals may change what the readers may read: the webhooks'
        push run is triggered, once a transaction, where a webhook is active
        (a change the trigger misses, such as a pause, waits for its next
        scheduled run)."""
        data = self.env.cr.precommit.data
        if not ACCESS_FIELDS & set(vals) or data.get("publication.webhook.push"):
            return
        data["publication.webhook.push"] = True
        if (
            self.env["publication.webhook"]
            .sudo()
            .search_count([("active", "=", True)], limit=1)
        ):
            self.env.ref("publication_crm.ir_cron_webhook_push")._trigger()
