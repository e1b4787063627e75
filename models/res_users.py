import logging

from odoo import models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    def _update_last_login(self):
        """A user logging in takes the free seats of their e-mail domain's
        organisation subscriptions (publication.subscription
        ._claim_domain_seats). A seat that cannot be taken now (seats full
        meanwhile, a concurrent login) never blocks the login."""
        result = super()._update_last_login()
        for user in self:
            try:
                with self.env.cr.savepoint():
                    self.env["publication.subscription"]._claim_domain_seats(
                        user.partner_id
                    )
            except (UserError, ValidationError) as error:
                _logger.info("No domain seat for user %s: %s", user.id, error)
        return result
