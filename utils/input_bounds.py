"""Bounds of the copies and dates users give (the back office, RPC, the
portal, a register file): checked before anything is written, and by the
models' constraints. Beyond them PostgreSQL refuses an integer (2^31) or a
computed end passes year 9999, with a traceback instead of a message."""

from datetime import date

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tools import format_date

# copies of one subscription (or of one gift or sponsored line): sponsors'
# and organisations' subscriptions stay far below; more is a typing error
MAX_COPIES = 10_000
# any date of a subscription, of its periods and pauses: a register's lifetime
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
# months or issues of one term of an offer: ends computed from a date within
# the lifetime stay centuries away from year 9999
MAX_TERM = 1000


def check_copies(env, field, value):
    """Raise a ValidationError unless value is a whole number of copies
    from 1 to MAX_COPIES; field names it (e.g. "Copies of subscription S1")."""
    try:
        number = int(value)  # as the ORM converts it
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or number != value:
        raise ValidationError(
            env._(
                "%(field)s must be a whole number, not %(value)s.",
                field=field,
                value=value,
            )
        )
    if number < 1:
        raise ValidationError(
            env._(
                "%(field)s must be at least 1, not %(value)s.", field=field, value=value
            )
        )
    if number > MAX_COPIES:
        raise ValidationError(
            env._(
                "%(field)s must be at most %(max)s, not %(value)s.",
                field=field,
                max=MAX_COPIES,
                value=value,
            )
        )


def check_date(env, field, value):
    """Raise a ValidationError unless value (a date or its ISO text) is
    between FIRST_DATE and LAST_DATE; an empty value passes."""
    day = fields.Date.to_date(value)
    if day and not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(
            env._(
                "%(field)s (%(value)s) must be between %(first)s and %(last)s.",
                field=field,
                value=format_date(env, day),
                first=format_date(env, FIRST_DATE),
                last=format_date(env, LAST_DATE),
            )
        )


def check_vals(model, vals, copies=(), dates=(), owner=None):
    """check_copies and check_date on the fields of vals named in copies and
    in dates, called by their label (of owner, when given): before create()
    or write() of model."""
    for name in copies:
        if name in vals:
            check_copies(model.env, _label(model, name, owner), vals[name])
    for name in dates:
        if name in vals:
            check_date(model.env, _label(model, name, owner), vals[name])


def _label(model, name, owner):
    label = model._fields[name]._description_string(model.env)
    if owner:
        return model.env._("%(field)s of %(owner)s", field=label, owner=owner)
    return label
