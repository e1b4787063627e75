"""The entitlement look-up service of the publisher's own servers (website,
e-paper, paywall): what a reader may read now. Authenticated by the API key of
an integration user of the group Publications / Entitlement Look-ups."""

import ipaddress
import re

from odoo import http
from odoo.http import request
from odoo.tools import email_normalize

GROUP = "publication_crm.group_publication_entitlement"
LOOKUP_KEYS = ("login", "email", "customer", "ip")
BEARER = re.compile(r"^bearer\s+(\S+)$", re.IGNORECASE)
MAX_LENGTH = 320  # of a login or an e-mail address
MAX_CUSTOMER = 2**31 - 1
NO_STORE = [("Cache-Control", "no-store")]


def _error(status, code, message, parameter=None, headers=()):
    error = {"code": code, "message": message}
    if parameter:
        error["parameter"] = parameter
    return request.make_json_response(
        {"error": error}, status=status, headers=[*NO_STORE, *headers]
    )


def _bad_parameter(parameter, message):
    return _error(400, "bad_parameter", message, parameter=parameter)


def _lookup_value(key, value):
    """The value to look the reader up by, or an error message."""
    value = value.strip()
    if not value or len(value) > MAX_LENGTH:
        return None, f"{key} must not be empty nor longer than {MAX_LENGTH} characters."
    if key == "email":
        return email_normalize(value) or None, "email must be one e-mail address."
    if key == "ip":
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return None, "ip must be one IPv4 or IPv6 address."
        # an IPv4 reader seen through an IPv6 socket (::ffff:a.b.c.d)
        return getattr(address, "ipv4_mapped", None) or address, None
    if key == "customer":
        if value.isdigit() and 0 < int(value) <= MAX_CUSTOMER:
            return int(value), None
        return None, "customer must be a customer number (a positive integer)."
    return value, None


class PublicationEntitlementApi(http.Controller):
    @http.route(
        "/publication/api/v1/entitlements",
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        readonly=True,
        save_session=False,
    )
    def entitlements(self, **params):
        """GET ?login=... | ?email=... | ?customer=...: the reader's terms
        readable now, {"entitlements": [...]}; the same empty answer for an
        unknown reader as for a reader without access. ?ip=...: the terms of
        the site licences whose networks hold the address."""
        refusal = self._authenticate()
        if refusal:
            return refusal
        unknown = sorted(set(params) - set(LOOKUP_KEYS))
        if unknown:
            return _bad_parameter(
                unknown[0],
                f"{unknown[0]} is not a parameter; look a reader up by one of "
                "login, email, customer or ip.",
            )
        if len(params) != 1:
            return _bad_parameter(
                ",".join(params) or None,
                "Look a reader up by exactly one of login, email, customer or ip.",
            )
        [(key, raw)] = params.items()
        value, message = _lookup_value(key, raw)
        if value is None:
            return _bad_parameter(key, message)
        Entitlement = request.env["publication.entitlement"]
        if key == "ip":
            terms = Entitlement._lookup_ip(value)
        else:
            terms = Entitlement._lookup(key, value)
        return request.make_json_response({"entitlements": terms}, headers=NO_STORE)

    @http.route(
        "/publication/api/v1/me/entitlements",
        type="http",
        auth="public",
        methods=["GET"],
        readonly=True,
    )
    def my_entitlements(self):
        """GET: what the logged-in reader may read now, for the publisher's
        pages served beside Odoo (the reader's own session, from Odoo's login
        or an OAuth provider of auth_oauth): {"entitlements": [...]}."""
        if request.env.user._is_public():
            return _error(401, "unauthorized", "Log in first: no reader is logged in.")
        terms = request.env["publication.entitlement"]._own_terms()
        return request.make_json_response({"entitlements": terms}, headers=NO_STORE)

    def _authenticate(self):
        """Become the user of the request's API key; an error response if
        there is none, it is not valid, or its user may not look up."""
        match = BEARER.match(request.httprequest.headers.get("Authorization", ""))
        uid = match and request.env["res.users.apikeys"]._check_credentials_verified(
            scope="rpc", key=match.group(1)
        )
        if not uid:
            return _error(
                401,
                "unauthorized",
                "Send an API key of an integration user: Authorization: Bearer <key>.",
                headers=[("WWW-Authenticate", "Bearer")],
            )
        request.update_env(user=uid)
        if not request.env.user.has_group(GROUP):
            return _error(
                403,
                "forbidden",
                "The API key's user is not in the group "
                "Publications / Entitlement Look-ups.",
            )
        return None
