from odoo import models
from odoo.exceptions import AccessError


class PublicationGuardedMixin(models.AbstractModel):
    """Fields only the business methods may write: what the views hide is
    refused over the ORM (and so over RPC) too. A model names its fields in
    the class attributes below, calls ``_check_guarded_fields(vals)`` in its
    create and write, and its business methods write them with
    ``_write_state``."""

    _name = "publication.guarded.mixin"
    _description = "Fields Only the Business Methods May Write"

    # written by the business methods only (as superuser, through
    # _write_state); a new record may have them empty or in _initial_state
    _guarded_fields = ()
    _initial_state = "draft"
    # guarded too once a record has left its initial state
    _guarded_confirmed_fields = ()
    # set by hand by Publication Managers only (see _manager_value_allowed)
    _manager_fields = ()
    # True: records, once created, are written by hand by managers only
    _manager_writes_only = False
    # what a refusal says: lazy translations of "%(field)s ... %(value)s"
    _guarded_message = None
    _manager_message = None

    def _check_guarded_fields(self, vals, creating=False):
        """Refuse (AccessError) vals that set a guarded field, or a manager
        field for a user who is not a Publication Manager."""
        if self.env.su:
            return
        refused = set(self._guarded_fields) & set(vals)
        if creating:
            refused = {f for f in refused if vals[f] and vals[f] != self._initial_state}
        elif self._guarded_confirmed_fields and any(
            record.state != self._initial_state for record in self
        ):
            refused |= set(self._guarded_confirmed_fields) & set(vals)
        message = self._guarded_message
        if not refused:
            refused = self._manager_only_in(vals, creating)
            message = self._manager_message or message
        if refused:
            field = min(refused)
            # a lazy translation takes no arguments: translated, then filled in
            text = self.env._(message)
            raise AccessError(
                text % {"field": self._field_label(field), "value": vals[field]}
            )

    def _manager_only_in(self, vals, creating):
        """The manager fields vals sets that the user may not set."""
        writes_only = self._manager_writes_only and not creating
        fields_ = set(vals) if writes_only else set(self._manager_fields) & set(vals)
        if not fields_ or self.env.user.has_group(
            "publication_crm.group_publication_manager"
        ):
            return set()
        if writes_only:
            return fields_
        return {f for f in fields_ if not self._manager_value_allowed(f, vals)}

    def _manager_value_allowed(self, field, vals):
        """Whether anyone may send vals[field], a manager field: unchanged,
        or empty on a new record."""
        if not self:
            return not vals[field]
        return all(record[field] == vals[field] for record in self)

    def _field_label(self, name):
        return self._fields[name].get_description(self.env)["string"]

    def _write_state(self, vals):
        """Write what a business method changes: the user's right to write
        the records is still checked."""
        self.check_access("write")
        return self.sudo().write(vals)
