"""Authentication: who is calling (`current_viewer`), the login check on every request with a
token, JWT callbacks and the role decorator.

A token is checked against its login (`Login`) on every request: a logged-out, expired,
suspended or deleted login is refused at once on every process. With Redis the login's
state is cached for all processes and copied into each (api/local_copies.py); every commit
that ends a login or changes a member's role or status purges it (the tags `session:<id>`
and `member:<id>`, see `collect_login_tags`), so the check costs neither Redis nor the
database on most requests and is still never stale.
"""

import functools
import json
import time
import uuid
from dataclasses import dataclass

from flask import current_app, g, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from api.cache import get_store, request_snapshot
from api.errors import Forbidden, problem
from api.extensions import db
from api.models import AuthSession, Member, MemberStatus, Role
from api.models.base import utcnow
from api.viewer import Viewer

# How long a login's state is cached at most (writes purge it sooner).
LOGIN_CACHE_SECONDS = 300
# Member fields that decide what a login may do.
LOGIN_FIELDS = frozenset({"role", "status", "deleted_at"})


@dataclass(frozen=True)
class Login:
    """An active login: whose it is, their role, and until when it may be cached."""

    member_id: str
    role: str
    expires_at: float
    tags: tuple[str, ...]

    def encode(self):
        return json.dumps([self.member_id, self.role, self.expires_at, self.tags])

    @classmethod
    def decode(cls, raw):
        member_id, role, expires_at, tags = json.loads(raw)
        return cls(member_id, role, expires_at, tuple(tags))


def load_login(session_id):
    """The login `session_id` while it and its member are active, else None.

    Redis answers for all app processes; with no Redis (a per-process cache could not see
    another process's logout) the database decides every time.
    """
    store = get_store()
    if not store.shared:
        return _login_from_database(session_id)
    key = f"login:{session_id}"
    login = store.read_tagged(key, Login.decode)
    if login is not None and login.expires_at > time.time():
        return login
    since = request_snapshot()
    login = _login_from_database(session_id)
    if login is not None:
        store.set_tagged(key, login, login.expires_at - time.time(), login.tags, since)
    return login


def _login_from_database(session_id):
    try:
        sid = uuid.UUID(session_id)
    except (TypeError, ValueError):
        return None
    row = db.session.execute(
        select(AuthSession.expires_at, AuthSession.revoked_at, Member.id, Member.role,
               Member.status)
        .join(Member, Member.id == AuthSession.member_id).where(AuthSession.id == sid)
    ).first()
    if row is None or row.revoked_at is not None or row.status is not MemberStatus.ACTIVE:
        return None
    remaining = (row.expires_at - utcnow()).total_seconds()
    if remaining <= 0:
        return None
    return Login(str(row.id), row.role.value, time.time() + min(remaining, LOGIN_CACHE_SECONDS),
                 (f"session:{sid}", f"member:{row.id}"))


@event.listens_for(Session, "after_flush")
def collect_login_tags(session, _flush_context):
    """Purge, at commit, the cached state of the logins this transaction ended or changed."""
    tags = set()
    for obj in session.new | session.dirty | session.deleted:
        if isinstance(obj, AuthSession):
            tags.add(f"session:{obj.id}")
        elif isinstance(obj, Member) and _changed(obj) & LOGIN_FIELDS:
            tags.add(f"member:{obj.id}")
    if tags:
        session.info.setdefault("cache_tags", set()).update(tags)


def _changed(obj):
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def init_auth(app):
    @app.before_request
    def forget_previous_caller():
        # Requests made inside one app context (tests, CLI) share `g`.
        g.pop("viewer", None)


def register_jwt_callbacks(jwt):
    """Answer every token failure as problem+json (the library's default is `{"msg"}`)."""

    @jwt.unauthorized_loader
    def missing_token(reason):
        if "CSRF" in reason:
            return problem(403, "csrf_failed", "Send the value of the csrf_access_token "
                           "(or csrf_refresh_token) cookie in an X-CSRF-TOKEN header.")
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

    @jwt.token_verification_failed_loader
    def verification_failed(_header, _payload):
        return problem(401, "token_invalid", "The token is not valid.")

    @jwt.token_in_blocklist_loader
    def token_revoked(_header, payload):
        g.login = load_login(payload.get("sid"))
        return g.login is None or g.login.member_id != payload.get("sub")


def current_viewer():
    """Who is calling, resolved once per request: anonymous callers pass, and a token, when
    sent, must be valid (else 401, on every endpoint alike)."""
    if "viewer" not in g:
        g.viewer = _resolve_viewer(optional=True)
    return g.viewer


def sends_credentials():
    """True when the request carries a login (header or cookie), valid or not."""
    if "Authorization" in request.headers:
        return True
    return current_app.config.get("JWT_ACCESS_COOKIE_NAME", "access_token_cookie") in \
        request.cookies


def _resolve_viewer(optional, refresh=False):
    g.login = None
    if optional and not refresh and not sends_credentials():
        return Viewer()  # (what verifying would find, without the cost)
    verify_jwt_in_request(optional=optional, refresh=refresh)
    login = g.get("login")
    if login is None:
        return Viewer()
    return Viewer(uuid.UUID(login.member_id), Role(login.role),
                  uuid.UUID(get_jwt()["sid"]))


def current_member():
    """The member making the request (their account row), or None for an anonymous one."""
    return current_viewer().member


def current_session_id():
    return uuid.UUID(get_jwt()["sid"])


# How often a login's `last_used_at` is written while its access token is in use.
TOUCH_INTERVAL_SECONDS = 60


def touch_session(session_id):
    """Record that the login is in use, at most once a minute per login: each process
    remembers its own recent touches, and Redis settles which process writes."""
    recent = current_app.extensions.setdefault("recent_touches", {})
    now = time.monotonic()
    if recent.get(session_id, -TOUCH_INTERVAL_SECONDS) > now - TOUCH_INTERVAL_SECONDS:
        return
    if len(recent) > 10_000:
        recent.clear()
    recent[session_id] = now
    if not get_store().add(f"auth-touch:{session_id}", "1", TOUCH_INTERVAL_SECONDS):
        return
    db.session.execute(update(AuthSession).where(AuthSession.id == session_id)
                       .values(last_used_at=utcnow()))
    db.session.commit()


def auth_required(role=Role.MEMBER, *, optional=False, refresh=False):
    """Let the view run only for a logged-in member of at least `role`.

    With `optional=True` anonymous callers pass too, and a token, when sent, must be valid.
    With `refresh=True` the view takes a refresh token instead of an access token.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            authenticate(role, optional=optional, refresh=refresh)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def authenticate_reader():
    """`authenticate(optional=True)` for a cached read, which never asks for the token's
    claims again: a Bearer token this process verified before (and not expired) is not
    verified again; its login still is. Anything else takes the full path."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    jwt_manager = current_app.extensions["flask-jwt-extended"]
    claims = (jwt_manager.verified_access_claims(token) if scheme == "Bearer" else None) or {}
    login = load_login(claims["sid"]) if "sid" in claims else None
    if login is None or login.member_id != claims.get("sub"):
        return authenticate(optional=True)
    g.viewer = viewer = Viewer(uuid.UUID(login.member_id), Role(login.role),
                               uuid.UUID(claims["sid"]))
    touch_session(viewer.session_id)
    return viewer


def authenticate(role=Role.MEMBER, *, optional=False, refresh=False):
    """Resolve the caller of this request, as `auth_required` lets them in: 401 for a bad
    token (or none, unless `optional`), 403 below `role`. Answers the `Viewer`."""
    g.viewer = viewer = _resolve_viewer(optional, refresh)
    if not viewer.is_anonymous:
        if not viewer.has_role(role):
            raise Forbidden(f"This needs the {Role(role).value} role.")
        if not refresh:
            touch_session(viewer.session_id)
    return viewer
