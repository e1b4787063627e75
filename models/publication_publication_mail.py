from odoo import api, fields, models, tools


class PublicationPublication(models.Model):
    """The address subscriber mails of the publication come from."""

    _inherit = "publication.publication"

    email = fields.Char(
        string="Sender E-mail",
        help="Subscriber mails of this publication are sent from this address; "
        "empty: the company's.",
    )
    email_from_formatted = fields.Char(
        string="Sent From",
        compute="_compute_email_from_formatted",
        help="The publication's address, else the company's.",
    )

    @api.depends("name", "email", "company_id.email_formatted")
    def _compute_email_from_formatted(self):
        for publication in self:
            publication.email_from_formatted = (
                tools.formataddr((publication.name, publication.email))
                if publication.email
                else publication.company_id.email_formatted
            )
