from hashlib import sha256

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE

# The API keys this worker has verified: (database, SHA-256 of the key) ->
# (key id, user id). A key is hashed with pbkdf2 (some milliseconds) when it is
# first presented only; each later request still checks its row in one
# indexed query, so that a deleted or expired key, or a deactivated user, is
# refused at once.
_VERIFIED = {}
MAX_VERIFIED = 1000


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    @api.model
    def _check_credentials_verified(self, *, scope, key):
        """The user id of the API key key for scope, as _check_credentials,
        without hashing again a key that this worker has verified already."""
        digest = (self.env.cr.dbname, sha256(key.encode()).digest())
        known = _VERIFIED.get(digest)
        if known:
            key_id, user_id = known
            if self.env.execute_query(self._valid_key_sql(key_id, user_id, scope)):
                return user_id
            _VERIFIED.pop(digest, None)
        user_id = self._check_credentials(scope=scope, key=key)
        if not user_id:
            return None
        # the key's row: the one of its user and index whose hash it matched
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM res_users_apikeys WHERE index = %s AND user_id = %s",
                key[:INDEX_SIZE],
                user_id,
            )
        )
        if len(rows) == 1:
            if len(_VERIFIED) >= MAX_VERIFIED:
                _VERIFIED.clear()
            _VERIFIED[digest] = (rows[0][0], user_id)
        return user_id

    @api.model
    def _valid_key_sql(self, key_id, user_id, scope):
        """The key key_id of the active user user_id, for scope, unexpired
        (the conditions of _check_credentials)."""
        return SQL(
            """
            SELECT 1
              FROM res_users_apikeys k
              JOIN res_users u ON u.id = k.user_id
             WHERE k.id = %s AND k.user_id = %s AND u.active
               AND (k.scope IS NULL OR k.scope = %s)
               AND (k.expiration_date IS NULL
                    OR k.expiration_date >= now() AT TIME ZONE 'utc')
            """,
            key_id,
            user_id,
            scope,
        )
