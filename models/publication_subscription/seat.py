"""Digital seats: an organisation's subscription gives its payer a number of
seats for members, added by the publisher, invited by e-mail on the portal,
or taken by anyone who logs in with an address of the subscription's e-mail
domain while seats are free. The seats read with the subscription: when it
ends, every seat ends with it (see publication.entitlement)."""

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..publication_subscription_seat import TAKEN_STATES
from .publication_subscription import OPEN_STATES

# free signup ("b2c"): an account's address is not proven by an invitation
FREE_SIGNUP = "b2c"


class PublicationSubscription(models.Model):
    _inherit = "publication.subscription"

    seat_count = fields.Integer(
        string="Digital Seats",
        tracking=True,
        help="Members who read digitally on this subscription, each on a seat "
        "the payer gives by e-mail on the portal. 0: no seats.",
    )
    seat_domain = fields.Char(
        string="Seat E-mail Domain",
        tracking=True,
        help="Anyone who logs in with an address of this domain (for example "
        "example.com) takes a free seat. Empty: seats by invitation only.",
    )
    seat_ids = fields.One2many(
        "publication.subscription.seat", "subscription_id", string="Seats"
    )
    seat_taken_count = fields.Integer(
        string="Seats Taken",
        compute="_compute_seat_taken_count",
        help="Active seats and open invitations.",
    )

    _seat_count_positive = models.Constraint(
        "CHECK (seat_count >= 0)", "Digital Seats cannot be negative."
    )
    # looked up at each login (see _claim_domain_seats)
    _seat_domain_index = models.Index(
        "(lower(seat_domain)) WHERE seat_domain IS NOT NULL"
    )

    @api.depends("seat_ids.state")
    def _compute_seat_taken_count(self):
        for subscription in self:
            subscription.seat_taken_count = len(subscription._portal_seats())

    @api.constrains("seat_count")
    def _check_seat_count(self):
        self._check_seats_taken()

    def _check_seats_taken(self):
        for subscription in self:
            taken = subscription._portal_seats()
            if len(taken) > subscription.seat_count:
                raise ValidationError(
                    self.env._(
                        "%(subscription)s has %(count)s digital seat(s) and "
                        "%(taken)s would be taken (active or invited): remove a "
                        "member or add seats first.",
                        subscription=subscription.name,
                        count=subscription.seat_count,
                        taken=len(taken),
                    )
                )

    @api.constrains("seat_domain")
    def _check_seat_domain(self):
        for subscription in self.filtered("seat_domain"):
            domain = subscription.seat_domain
            if not tools.email_normalize(f"x@{domain}") or "@" in domain:
                raise ValidationError(
                    self.env._(
                        "Seat E-mail Domain of %(subscription)s must be a domain "
                        "such as example.com, not %(value)s.",
                        subscription=subscription.name,
                        value=domain,
                    )
                )

    # ------------------------------------------------------------------
    # the payer's seats on the portal
    # ------------------------------------------------------------------
    def _portal_seat_summary(self, seats):
        """The payer's line over their seats: how many of them are taken."""
        return self.env._(
            "%(taken)s of %(count)s seats taken.",
            taken=len(seats),
            count=self.seat_count,
        )

    def _portal_seats(self):
        """The seats taken, shown to the payer: active ones and open
        invitations (searched, so that a seat refused in a savepoint is not
        counted)."""
        self.ensure_one()
        if not self.id:
            return self.seat_ids.filtered(lambda s: s.state in TAKEN_STATES)
        return (
            self.env["publication.subscription.seat"]
            .sudo()
            .search([("subscription_id", "=", self.id), ("state", "in", TAKEN_STATES)])
        )

    def _portal_invite_seat(self, email, replace=None):
        """The payer gives a seat to email (an invitation mailed to it); with
        replace (a seat of this subscription), that seat's member leaves."""
        self.ensure_one()
        self._raise_if_not_open(self.env._("Giving a seat"))
        Seat = self.env["publication.subscription.seat"]
        normalized = Seat._normalized_email(email or "")
        if replace:
            if replace not in self._portal_seats():
                raise UserError(
                    self.env._(
                        "That seat is not one of %(subscription)s.",
                        subscription=self.name,
                    )
                )
            replace._remove()
        if self._portal_seats().filtered(
            lambda s: (
                normalized in (s.email, tools.email_normalize(s.partner_id.email or ""))
            )
        ):
            raise UserError(
                self.env._(
                    "%(email)s already has a seat of %(subscription)s.",
                    email=normalized,
                    subscription=self.name,
                )
            )
        return Seat.create(
            {
                "subscription_id": self.id,
                "email": normalized,
                "state": "invited",
                "source": "invitation",
            }
        )

    def _portal_remove_seat(self, seat):
        self.ensure_one()
        if seat not in self._portal_seats():
            raise UserError(
                self.env._(
                    "That seat is not one of %(subscription)s.", subscription=self.name
                )
            )
        seat._remove()

    # ------------------------------------------------------------------
    # seats by e-mail domain, taken when a member logs in
    # ------------------------------------------------------------------
    @api.model
    def _claim_domain_seats(self, partner):
        """Seats that partner (logging in) takes by their address's domain:
        one on each open subscription of the domain with a free seat, that
        partner does not hold yet. Where anyone may sign up, an account's
        address is not proven: the seat is then an invitation mailed to it.
        Returns the seats."""
        email = tools.email_normalize(partner.email or "")
        if not email:
            return self.env["publication.subscription.seat"]
        domain = email.rpartition("@")[2]
        rows = self.env.execute_query(
            SQL(
                """SELECT id FROM publication_subscription
                    WHERE seat_domain IS NOT NULL AND lower(seat_domain) = %s
                      AND state IN %s AND seat_count > 0 ORDER BY id""",
                domain,
                OPEN_STATES,
                to_flush=self._fields["seat_domain"],
            )
        )
        subscriptions = self.sudo().browse([row[0] for row in rows])
        proven = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("auth_signup.invitation_scope", "b2b")
            != FREE_SIGNUP
        )
        vals_list = []
        for subscription in subscriptions:
            seats = subscription._portal_seats()
            if len(seats) >= subscription.seat_count or seats.filtered(
                lambda s: s.partner_id == partner or s.email == email
            ):
                continue
            vals = {"subscription_id": subscription.id, "source": "domain"}
            if proven:
                vals |= {"partner_id": partner.id, "state": "active"}
            else:
                vals |= {"email": email, "state": "invited"}
            vals_list.append(vals)
        return self.env["publication.subscription.seat"].sudo().create(vals_list)
