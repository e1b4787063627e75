from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _publication_tz(self):
        """Time zone of the company's address, else the user's, else UTC."""
        self.ensure_one()
        return self.partner_id.tz or self.env.tz.zone

    def _publication_today(self):
        """Today's date where the company is, whoever runs the code (the
        scheduled actions run as a technical user without time zone)."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self._publication_tz()))
