"""Logins and tokens: log in, rotate refresh tokens, list and end logins."""

import uuid
from datetime import timedelta

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import func, select

from api.errors import APIError, Forbidden, NotFound, Unauthorized
from api.extensions import db
from api.models import AuditEventType, AuthSession, Member, MemberStatus, Park
from api.models.base import utcnow
from api.pagination import paginate
from api.security import verify_password
from api.services.audit import record

SESSION_SORT_COLUMNS = {"created_at": AuthSession.created_at,
                        "last_used_at": AuthSession.last_used_at}


def find_member_by_email(email):
    return db.session.scalar(select(Member).where(func.lower(Member.email) == email.lower()))


def authenticate(email, password):
    """The member with these credentials; 401 alike for an unknown email and a wrong password."""
    member = find_member_by_email(email)
    # Every failure below costs one hash verification, an unknown email's too.
    if member is None:
        verify_password(None, password)
        _fail(None, "unknown_email", Unauthorized("Wrong email or password.",
                                                  code="invalid_credentials"))
    if not member.check_password(password):
        _fail(member, "wrong_password", Unauthorized("Wrong email or password.",
                                                     code="invalid_credentials"))
    if member.status is MemberStatus.PENDING:
        _fail(member, "account_pending", Forbidden(
            "This account is waiting for verification or approval.", code="account_pending"))
    if member.status is MemberStatus.SUSPENDED:
        _fail(member, "account_suspended", Forbidden("This account is suspended.",
                                                     code="account_suspended"))
    return member


def _fail(member, reason, error):
    """Record a failed login in the audit trail, then answer `error`."""
    with db.transaction():
        record(AuditEventType.LOGIN_FAILED, member, reason=reason)
    raise error


def login(email, password, user_agent=None, ip_address=None):
    """Start a login for the member and answer its first token pair."""
    member = authenticate(email, password)
    now = utcnow()
    session = AuthSession(
        id=uuid.uuid4(), member=member, refresh_jti=uuid.uuid4().hex, created_at=now,
        last_used_at=now, expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
        user_agent=(user_agent or "")[:512] or None, ip_address=ip_address,
    )
    member.last_login_at = now
    with db.transaction():
        db.session.add(session)
        record(AuditEventType.LOGIN_SUCCEEDED, member, session_id=str(session.id))
    return token_pair(session)


def token_pair(session):
    identity = str(session.member_id)
    claims = {"sid": str(session.id)}
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(identity, additional_claims=claims),
        # A refresh token ends with its login, however late in the login it was made.
        "refresh_token": create_refresh_token(
            identity, additional_claims=claims | {"jti": session.refresh_jti},
            expires_delta=session.expires_at - utcnow()),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def refresh(claims):
    """Swap a refresh token for a new pair; a spent one ends the whole login (reuse)."""
    session = db.session.scalar(
        select(AuthSession).where(AuthSession.id == uuid.UUID(claims["sid"])).with_for_update()
    )
    if session is None or not session.is_active:
        raise Unauthorized("This login has ended; log in again.", code="token_revoked")
    now = utcnow()
    grace = timedelta(seconds=current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
    is_current = claims["jti"] == session.refresh_jti
    # A client whose refresh answer was lost may retry with the previous token briefly.
    is_retry = (claims["jti"] == session.previous_refresh_jti
                and now - session.rotated_at < grace)
    if not (is_current or is_retry):
        end_sessions([session])
        raise Unauthorized("This refresh token was already used; the login has ended.",
                           code="token_revoked")
    with db.transaction():
        if is_current:
            session.previous_refresh_jti = session.refresh_jti
            session.refresh_jti = uuid.uuid4().hex
            session.rotated_at = now
        session.last_used_at = now
    return token_pair(session)


def end_sessions(sessions):
    """Revoke logins: their access and refresh tokens stop working on every process (the
    commit purges their cached state, see `api.auth`)."""
    with db.transaction():
        for session in sessions:
            session.revoked_at = session.revoked_at or utcnow()


def logout(session_id):
    session = db.session.get(AuthSession, session_id)
    if session is not None:
        end_sessions([session])


def active_sessions(member):
    return (select(AuthSession)
            .where(AuthSession.member_id == member.id, AuthSession.revoked_at.is_(None),
                   AuthSession.expires_at > utcnow()))


def list_sessions(member, current_session_id, args):
    """One page of the member's active logins, the one making the request marked `current`."""
    page = paginate(db.session, active_sessions(member), args, SESSION_SORT_COLUMNS)
    for session in page.items:
        session.current = session.id == current_session_id
    return page


def end_session(member, session_id):
    """End one of the member's own logins; 404 for any other."""
    session = db.session.get(AuthSession, session_id)
    if session is None or session.member_id != member.id or not session.is_active:
        raise NotFound("You have no active login with this id.")
    with db.transaction():
        record(AuditEventType.SESSIONS_ENDED, member, actor=member, session_id=str(session.id))
    end_sessions([session])


def logout_everywhere(member):
    with db.transaction():
        record(AuditEventType.SESSIONS_ENDED, member, actor=member, session_id="all")
    end_member_sessions(member)


def end_member_sessions(member, keep=None):
    """End every login of `member`, except the login `keep` (an id) when given."""
    sessions = [session for session in db.session.scalars(active_sessions(member))
                if session.id != keep]
    end_sessions(sessions)
    return len(sessions)


def update_profile(member, data):
    data = dict(data)
    if "park_id" in data:
        member.park = find_park(data.pop("park_id"))
    with db.transaction():
        for field, value in data.items():
            setattr(member, field, value)
    return member


def find_park(park_id):
    """The park a member belongs to, by id; None clears it, an unknown id is 422."""
    if park_id is None:
        return None
    park = db.session.get(Park, park_id)
    if park is None:
        raise APIError("The park does not exist.", status=422, code="validation_error",
                       errors={"json": {"park_id": ["No park has this id."]}})
    return park
