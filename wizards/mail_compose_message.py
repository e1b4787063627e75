from markupsafe import Markup

from odoo import models

# context key: the mass mode composer appends to each subscription's mail
# the link unsubscribing its payer from offers (a marketing mail)
OFFER_FOOTER = "publication_offer_footer"


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _prepare_mail_values_dynamic(self, res_ids):
        values = super()._prepare_mail_values_dynamic(res_ids)
        if (
            self.env.context.get(OFFER_FOOTER)
            and self.model == "publication.subscription"
        ):
            for subscription in self.env[self.model].browse(res_ids):
                footer = subscription._unsubscribe_footer()
                for field in ("body", "body_html"):
                    if field in values[subscription.id]:
                        values[subscription.id][field] = (
                            Markup(values[subscription.id][field]) + footer
                        )
        return values
