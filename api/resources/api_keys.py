"""Partner keys: issuing, changing, rolling and revoking API keys, and their usage (admins)."""

from flask import url_for
from flask.views import MethodView

from api.auth import current_member
from api.blueprint import LOCATION_HEADER_DOC, Blueprint
from api.models import Role
from api.schemas.api_key import (
    ApiKeyCreateSchema,
    ApiKeyQueryArgsSchema,
    ApiKeyRollSchema,
    ApiKeySchema,
    ApiKeyUpdateSchema,
    ApiKeyUsageArgsSchema,
    ApiKeyUsageSchema,
    IssuedApiKeySchema,
)
from api.services import api_keys

blp = Blueprint("api-keys", __name__, url_prefix="/api/v1/api-keys",
                description="Partner keys: who reads what, with which quota (admins only).")


@blp.route("")
class ApiKeys(MethodView):
    @blp.doc(operationId="listApiKeys")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(ApiKeyQueryArgsSchema, location="query")
    @blp.paginated(ApiKeySchema)
    def get(self, args):
        """List partner keys.

        Filter by words in the name (`q`), `kind`, `park` (id or slug) and `status`
        (`active`, `inactive`, `expired`, `revoked`; without it, every key but revoked
        ones). Sort by `created_at` (default, newest first), `name` or `last_used_at`.
        """
        return api_keys.list_keys(args)

    @blp.doc(operationId="createApiKey")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, IssuedApiKeySchema, headers=LOCATION_HEADER_DOC)
    def post(self, data):
        """Create a partner key.

        The answer's `key` is the only time the key is shown: it is stored hashed. A
        `publishable` key (`cisip_pk_…`) identifies a partner's site, widget or feed reader:
        it reads public content only (GET), and from a browser only when the page's origin
        is in `allowed_origins`. A `secret` key (`cisip_sk_…`) is for a partner's servers and
        is refused whenever a browser sends it. `rate_limit` (default 600/minute) and
        `daily_quota` (default 100,000; null for none) bound its use; `park_id` ties it to a
        partner park.
        """
        key = api_keys.create_key(current_member(), data)
        return key, 201, {"Location": url_for("api-keys.ApiKeyById", key_id=key.id)}


@blp.route("/<uuid:key_id>")
class ApiKeyById(MethodView):
    @blp.doc(operationId="getApiKey")
    @blp.auth_required(Role.ADMIN)
    @blp.response(200, ApiKeySchema)
    @blp.problem(404, "No API key has this id.")
    def get(self, key_id):
        """Retrieve a partner key (without the key itself)."""
        return api_keys.get_key(key_id)

    @blp.doc(operationId="updateApiKey")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(ApiKeyUpdateSchema)
    @blp.response(200, ApiKeySchema)
    @blp.problem(404, "No API key has this id.")
    @blp.problem(409, "The key is revoked (`key_revoked`).")
    def patch(self, data, key_id):
        """Change a partner key.

        Its name, `allowed_origins`, `rate_limit`, `daily_quota`, park, `expires_at`, or
        `active` (`false` stops it until it is switched on again). Every process applies
        the change within a second.
        """
        return api_keys.update_key(current_member(), key_id, data)

    @blp.doc(operationId="revokeApiKey")
    @blp.auth_required(Role.ADMIN)
    @blp.response(204)
    @blp.problem(404, "No API key has this id.")
    def delete(self, key_id):
        """Revoke a partner key.

        The key, and a previous one still in its grace period, answer 401
        `invalid_api_key` on every process within a second, for good. The record stays
        (with `revoked_at`), with its usage, listed with `status=revoked`. Revoking a revoked
        key changes nothing.
        """
        api_keys.revoke_key(current_member(), key_id)


@blp.route("/<uuid:key_id>/roll")
class ApiKeyRoll(MethodView):
    @blp.doc(operationId="rollApiKey")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(ApiKeyRollSchema)
    @blp.response(200, IssuedApiKeySchema)
    @blp.problem(404, "No API key has this id.")
    @blp.problem(409, "The key is revoked (`key_revoked`).")
    def post(self, data, key_id):
        """Roll a partner key: issue a new key in its place.

        The answer's `key` is the new key, shown this once; everything else about the key
        stays. The current key keeps working for `grace_seconds` (0 to 86,400; default 0:
        it stops at once), long enough to deploy the new one; a key from an earlier roll
        still in its grace period stops at once.
        """
        return api_keys.roll_key(current_member(), key_id, data["grace_seconds"])


@blp.route("/<uuid:key_id>/usage")
class ApiKeyUsage(MethodView):
    @blp.doc(operationId="getApiKeyUsage")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(ApiKeyUsageArgsSchema, location="query")
    @blp.response(200, ApiKeyUsageSchema)
    @blp.problem(404, "No API key has this id.")
    def get(self, args, key_id):
        """Retrieve a partner key's usage: requests per UTC day and endpoint group.

        The last `days` days (default and at most 90, the counts kept), today included,
        oldest first, every day listed. Requests the key was refused (401, 403, 429) are not
        counted. Each API process adds its counts up in memory and writes them every ten
        seconds or so, so the latest seconds may show a little later.
        """
        return api_keys.key_usage(key_id, args["days"])
