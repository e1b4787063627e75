from odoo import http
from odoo.http import request

from .portal import PublicationPortal


class PublicationSeatPortal(PublicationPortal):
    """Digital seats: the payer, logged in, gives, replaces and removes the
    seats of their subscription on its page; the holder of a mailed
    invitation accepts that seat, logged in (its token does nothing else)."""

    @http.route(
        "/my/subscriptions/<int:subscription_id>/seats",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_subscription_seats(
        self, subscription_id, email=None, seat_id=None, **kw
    ):
        """GET: the page's seats section, behind the login; POST: email
        gets a seat (seat_id: in place of that seat's member), or seat_id
        with remove frees that seat."""
        if request.httprequest.method == "GET":
            return self._open_action_section(subscription_id, "seats")

        def change(subscription):
            Seat = request.env["publication.subscription.seat"].sudo()
            seat = Seat.browse(int(seat_id or 0)).exists()
            if kw.get("remove"):
                subscription._portal_remove_seat(seat)
                return request.env._(
                    "The seat of %(member)s is free.",
                    member=seat.partner_id.name or seat.email,
                )
            invited = subscription._portal_invite_seat(email, replace=seat)
            return request.env._(
                "%(email)s is invited: the seat is theirs when they accept the "
                "e-mailed invitation.",
                email=invited.email,
            )

        return self._subscription_action(subscription_id, "seats", change)

    @http.route(
        "/publication/seat/<int:seat_id>/accept",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def publication_seat_accept(self, seat_id, token=None, **kw):
        """The invitation's link: a visitor logs in (or signs up) first; the
        logged-in user sees the offer (GET) and accepts it with a button
        (POST, so that a mail scanner accepts nothing)."""
        seat = request.env["publication.subscription.seat"].sudo().browse(seat_id)
        if not seat.exists() or not seat._check_invitation_token(token):
            return request.redirect("/my")
        if request.env.user._is_public():
            return request.redirect_query(
                "/web/login",
                {"redirect": f"/publication/seat/{seat.id}/accept?token={token}"},
            )
        values = self._prepare_portal_layout_values()
        values.update({"seat": seat, "token": token, "page_name": "publication_seat"})
        if request.httprequest.method == "POST":
            seat = seat._accept(request.env.user.partner_id)
            values.update({"seat": seat, "done": True})
        return request.render("publication_crm.portal_seat_accept", values)
