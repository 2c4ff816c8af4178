"""Authentication: JWT callbacks, login-session revocation checks and the role decorator."""

import functools
import uuid

from flask import g
from flask_jwt_extended import get_jwt, verify_jwt_in_request

from api.cache import get_store
from api.errors import Forbidden, problem
from api.extensions import db
from api.models import AuthSession, Member, MemberStatus, Role
from api.models.base import utcnow


def session_cache_key(session_id):
    return f"auth-session:{session_id}"


def is_session_active(session_id):
    """True while the login `session_id` has not ended.

    Redis answers for all app processes; on a miss, with Redis down, or with no Redis
    (a per-process cache could not see another process's logout) the database decides,
    so revocation never fails open.
    """
    store = get_store()
    cached = store.get(session_cache_key(session_id)) if store.shared else None
    if cached is not None:
        return cached == "active"
    try:
        session = db.session.get(AuthSession, uuid.UUID(session_id))
    except ValueError:
        return False
    active = session is not None and session.is_active
    if active and store.shared:
        ttl = (session.expires_at - utcnow()).total_seconds()
        store.set(session_cache_key(session_id), "active", min(ttl, 300))
    return active


def forget_session(session_id):
    """Drop the cached state of a login so that every process sees its revocation now."""
    get_store().delete(session_cache_key(str(session_id)))


def register_jwt_callbacks(jwt):
    """Answer every token failure as problem+json (the library's default is `{"msg"}`)."""

    @jwt.unauthorized_loader
    def missing_token(reason):
        return problem(401, "token_missing", "Log in and send the access token as "
                       "'Authorization: Bearer <token>'.",
                       headers={"WWW-Authenticate": "Bearer"})

    @jwt.invalid_token_loader
    def invalid_token(reason):
        return problem(401, "token_invalid", "The token is not valid.",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.expired_token_loader
    def expired_token(_header, _payload):
        return problem(401, "token_expired", "The token has expired.",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.revoked_token_loader
    def revoked_token(_header, _payload):
        return problem(401, "token_revoked", "This login has ended; log in again.",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.needs_fresh_token_loader
    def needs_fresh(_header, _payload):
        return problem(401, "token_invalid", "This action needs a fresh login.")

    @jwt.user_lookup_error_loader
    def unknown_user(_header, _payload):
        return problem(401, "token_revoked", "This account can no longer log in.",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.token_verification_failed_loader
    def verification_failed(_header, _payload):
        return problem(401, "token_invalid", "The token is not valid.")

    @jwt.token_in_blocklist_loader
    def token_revoked(_header, payload):
        session_id = payload.get("sid")
        return not session_id or not is_session_active(session_id)

    @jwt.user_lookup_loader
    def load_member(_header, payload):
        try:
            member = db.session.get(Member, uuid.UUID(payload["sub"]))
        except ValueError:
            return None
        if member is None or member.status is not MemberStatus.ACTIVE:
            return None
        return member


def current_member():
    """The member making the request, or None for an anonymous one."""
    # With an optional login and no token the library stores {"loaded_user": None}.
    loaded = getattr(g, "_jwt_extended_jwt_user", None)
    return loaded["loaded_user"] if loaded else None


def current_session_id():
    return uuid.UUID(get_jwt()["sid"])


def auth_required(role=Role.MEMBER, *, optional=False, refresh=False):
    """Let the view run only for a logged-in member of at least `role`.

    With `optional=True` anonymous callers pass too, and a token, when sent, must be valid.
    With `refresh=True` the view takes a refresh token instead of an access token.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            verify_jwt_in_request(optional=optional, refresh=refresh)
            member = current_member()
            if member is not None and not member.has_role(role):
                raise Forbidden(f"This needs the {Role(role).value} role.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
