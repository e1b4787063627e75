from odoo import fields, models


class ResPartner(models.Model):
    """The reader's wish not to be called by the telesales team, honoured by
    every call list generated afterwards."""

    _inherit = "res.partner"

    publication_do_not_call = fields.Boolean(
        string="Do Not Call",
        tracking=True,
        copy=False,
        help="The reader asked not to be called: no call list calls them "
        "(also when their number is on the phone blacklist).",
    )
    publication_call_ids = fields.One2many(
        "publication.call", "partner_id", string="Sales Calls"
    )

    def _publication_callable(self):
        """The partners of self a call list may call: with a phone number,
        neither marked Do Not Call (themselves or their company) nor with
        their number on Odoo's phone blacklist."""
        return self.search(
            [
                ("id", "in", self.ids),
                ("phone", "!=", False),
                ("publication_do_not_call", "=", False),
                ("commercial_partner_id.publication_do_not_call", "=", False),
                ("phone_sanitized_blacklisted", "=", False),
            ]
        )

    def _publication_set_do_not_call(self):
        """Mark the partners Do Not Call and put their numbers on the phone
        blacklist (as the superuser: a seller may not edit contacts)."""
        self.sudo().write({"publication_do_not_call": True})
        numbers = [number for number in self.sudo().mapped("phone_sanitized") if number]
        if numbers:
            self.env["phone.blacklist"].sudo()._add(
                numbers, message=self.env._("The reader asked not to be called.")
            )
