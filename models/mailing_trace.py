from odoo import models


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    # the campaigns that reached a subscription or a contact (attribution)
    _publication_reached_idx = models.Index(
        "(model, res_id) WHERE campaign_id IS NOT NULL"
    )
