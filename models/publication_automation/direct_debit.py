from odoo import api, models

from .publication_automation import per_company


class PublicationAutomation(models.AbstractModel):
    _inherit = "publication.automation"

    @api.model
    @per_company
    def _cron_direct_debit_collection(self):
        """Direct debit payment orders (a draft per collection date) of the
        open invoices of payers with a valid mandate; the nightly run may call
        it after the renewals, a rerun adds nothing."""
        self.env["account.move"]._publication_collect_direct_debits(self.env.company)
        return True
