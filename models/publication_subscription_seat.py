"""Digital seats of an organisation's subscription: the payer buys a number
of seats, and each seat gives one member digital reading for as long as the
subscription gives access (the entitlement view reads the seats with the
subscription's state, so that every seat ends with it)."""

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import consteq

INVITATION_TEMPLATE = "publication_crm.mail_template_seat_invitation"
# seats that hold one of the subscription's seats
TAKEN_STATES = ("invited", "active")


class PublicationSubscriptionSeat(models.Model):
    """A member's digital seat: invited (an e-mail address, waiting for its
    holder to accept the mailed invitation), active (a member partner), or
    removed (kept for the history). An invitation holds its seat until it is
    accepted or withdrawn, so that accepting never finds the seats full."""

    _name = "publication.subscription.seat"
    _description = "Digital Seat"
    _order = "subscription_id, state, id"
    _check_company_auto = True

    subscription_id = fields.Many2one(
        "publication.subscription",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="subscription_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Member",
        index="btree_not_null",
        help="Who reads on this seat; empty while the invitation is not accepted.",
    )
    email = fields.Char(
        string="Invited E-mail",
        help="The address the invitation was sent to.",
    )
    state = fields.Selection(
        [("invited", "Invited"), ("active", "Active"), ("removed", "Removed")],
        required=True,
        default="invited",
        index=True,
    )
    source = fields.Selection(
        [
            ("manual", "Added by the Publisher"),
            ("invitation", "Invitation"),
            ("domain", "E-mail Domain"),
        ],
        required=True,
        default="manual",
    )
    date = fields.Date(
        string="Since",
        default=fields.Date.context_today,
        help="The day of the seat's last change: invited, accepted or removed.",
    )

    _one_active_member = models.UniqueIndex(
        "(subscription_id, partner_id) WHERE state = 'active'",
        "A member holds one seat of a subscription.",
    )
    _one_invitation = models.UniqueIndex(
        "(subscription_id, lower(email)) WHERE state = 'invited'",
        "An address is invited once to a subscription's seats.",
    )

    @api.depends("partner_id", "email", "subscription_id")
    def _compute_display_name(self):
        for seat in self:
            seat.display_name = self.env._(
                "%(member)s on %(subscription)s",
                member=seat.partner_id.display_name or seat.email or "-",
                subscription=seat.subscription_id.name,
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("email"):
                vals["email"] = self._normalized_email(vals["email"])
            if vals.get("partner_id") and "state" not in vals:
                vals["state"] = "active"
        self._lock_subscriptions(
            self.env["publication.subscription"].browse(
                list({vals["subscription_id"] for vals in vals_list})
            )
        )
        seats = super().create(vals_list)
        seats.filtered(lambda s: s.state == "invited")._send_invitation()
        return seats

    def write(self, vals):
        if vals.get("email"):
            vals["email"] = self._normalized_email(vals["email"])
        if vals.get("state") in TAKEN_STATES:
            self._lock_subscriptions(self.subscription_id)
        return super().write(vals)

    @api.model
    def _normalized_email(self, email):
        normalized = tools.email_normalize(email)
        if not normalized:
            raise ValidationError(
                self.env._(
                    "Invited E-mail %(email)s is not one e-mail address.", email=email
                )
            )
        return normalized

    def _lock_subscriptions(self, subscriptions):
        """Seats taken at the same time on the same subscription: the second
        transaction fails to serialize here (and is retried), so that the
        seat check below always counts the other's seats."""
        if subscriptions:
            self.env.cr.execute(
                "UPDATE publication_subscription SET write_date = write_date "
                "WHERE id IN %s",
                [tuple(subscriptions.ids)],
            )

    @api.constrains("state", "partner_id", "email")
    def _check_member(self):
        for seat in self:
            if seat.state == "active" and not seat.partner_id:
                raise ValidationError(
                    self.env._(
                        "An active seat of %(subscription)s needs its Member.",
                        subscription=seat.subscription_id.name,
                    )
                )
            if seat.state == "invited" and not seat.email:
                raise ValidationError(
                    self.env._(
                        "An invited seat of %(subscription)s needs its Invited E-mail.",
                        subscription=seat.subscription_id.name,
                    )
                )

    @api.constrains("state", "subscription_id")
    def _check_seat_count(self):
        self.subscription_id._check_seats_taken()

    # ------------------------------------------------------------------
    # the invitation: a mailed link whose token only accepts the seat
    # ------------------------------------------------------------------
    def _invitation_token(self):
        """An HMAC of the seat and the invited address: it lets its holder
        accept this seat (logged in), nothing else."""
        self.ensure_one()
        return tools.hmac(
            self.env(su=True), "publication-seat-invitation", (self.id, self.email)
        )

    def _check_invitation_token(self, token):
        self.ensure_one()
        return (
            self.state == "invited"
            and bool(token)
            and consteq(self._invitation_token(), str(token))
        )

    def _invitation_url(self):
        self.ensure_one()
        base = self.subscription_id.get_base_url()
        return (
            f"{base}/publication/seat/{self.id}/accept?token={self._invitation_token()}"
        )

    def _send_invitation(self):
        """Mail the invitation to each invited seat's address (through the
        mail queue, after the commit) and note it on the subscription."""
        template = self.env.ref(INVITATION_TEMPLATE, raise_if_not_found=False)
        for seat in self:
            if template:
                template.sudo().send_mail(seat.id)
            seat.subscription_id.sudo().message_post(
                body=self.env._(
                    "%(email)s is invited to a digital seat.", email=seat.email
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _accept(self, partner):
        """The invitation's holder, logged in as partner, takes the seat."""
        self.ensure_one()
        subscription = self.subscription_id
        if self.state != "invited":
            raise UserError(
                self.env._(
                    "This invitation to %(subscription)s is no longer open.",
                    subscription=subscription.name,
                )
            )
        held = subscription.seat_ids.filtered(
            lambda s: s.state == "active" and s.partner_id == partner
        )
        if held:
            # already a member: the invitation frees its seat
            self._remove()
            return held
        self.write(
            {
                "state": "active",
                "partner_id": partner.id,
                "date": subscription.company_id._publication_today(),
            }
        )
        return self

    def action_remove(self):
        """Button Remove: the member leaves, the seat is free."""
        self.filtered(lambda s: s.state in TAKEN_STATES)._remove()

    def _remove(self):
        self.write(
            {
                "state": "removed",
                "date": self.env.company._publication_today(),
            }
        )
