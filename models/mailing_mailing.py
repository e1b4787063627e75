from odoo import fields, models

from .publication_subscription.campaign import MAILING_TO


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    publication_mailing_to = fields.Selection(
        MAILING_TO,
        string="Send To",
        default="payer_id",
        help="Of a mailing to subscriptions: whom each one's mail goes to.",
    )

    def _get_mass_mailing_context(self):
        context = super()._get_mass_mailing_context()
        if self.mailing_model_real == "publication.subscription":
            context["publication_mailing_to"] = self.publication_mailing_to
        return context

    def _get_recipients(self):
        """One subscription per address: a reader with several subscriptions
        (or payer of several) gets the mailing once."""
        res_ids = super()._get_recipients()
        if self.mailing_model_real != "publication.subscription":
            return res_ids
        subscriptions = self.env["publication.subscription"].browse(res_ids)
        return subscriptions._one_per_address(self.publication_mailing_to).ids
