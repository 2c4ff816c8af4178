"""Account life cycle: registration, email verification and the password flows.

Tokens sent by email carry 256 random bits; only their SHA-256 is stored. Each works once,
expires, and dies when a newer one of its kind is issued or the password changes.
"""

import time
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from api.errors import APIError
from api.extensions import db
from api.models import AccountToken, AuditEventType, Member, MemberStatus, TokenPurpose
from api.models.base import utcnow
from api.security import hash_password, hash_token, new_token
from api.services import emails
from api.services.audit import record
from api.services.auth import end_member_sessions, find_member_by_email, find_park

TOKEN_LIFETIMES = {TokenPurpose.RESET: "RESET_TOKEN_SECONDS",
                   TokenPurpose.INVITE: "INVITE_TOKEN_SECONDS",
                   TokenPurpose.VERIFY: "VERIFY_TOKEN_SECONDS"}
PASSWORD_PURPOSES = (TokenPurpose.RESET, TokenPurpose.INVITE)


class InvalidToken(APIError):
    status = 400
    code = "invalid_token"

    def __init__(self):
        super().__init__("This link is invalid, was already used or has expired; ask for a "
                         "new one.")


def issue_token(member, purpose):
    """A new token for `member`; earlier ones of the same purpose stop working."""
    token, token_hash = new_token()
    seconds = current_app.config[TOKEN_LIFETIMES[purpose]]
    drop_tokens(member, [purpose])
    db.session.add(AccountToken(member=member, purpose=purpose, token_hash=token_hash,
                                expires_at=utcnow() + timedelta(seconds=seconds)))
    return token


def drop_tokens(member, purposes):
    db.session.execute(delete(AccountToken).where(AccountToken.member_id == member.id,
                                                  AccountToken.purpose.in_(purposes)))


def redeem_token(token, purposes):
    """The usable token behind `token`, now spent; 400 `invalid_token` otherwise."""
    found = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == hash_token(token),
                                   AccountToken.purpose.in_(purposes)).with_for_update())
    if found is None or not found.is_usable or found.member.deleted_at is not None:
        raise InvalidToken()
    found.used_at = utcnow()
    return found


def register(data):
    """Apply for membership; an email already registered is told so by email instead."""
    data = dict(data)
    park = find_park(data.pop("park_id", None))
    existing = find_member_by_email(data["email"])
    if existing is not None:
        hash_password(data["password"])  # answer as slowly as for a new application
        _remind(existing)
        return
    member = Member(email=data.pop("email").lower(), status=MemberStatus.PENDING, park=park)
    member.password = data.pop("password")
    for field, value in data.items():
        setattr(member, field, value)
    with db.transaction():
        db.session.add(member)
        db.session.flush()
        token = issue_token(member, TokenPurpose.VERIFY)
        record(AuditEventType.MEMBER_REGISTERED, member)
        emails.send_verification(member, token)


def _remind(member):
    """An applicant who never verified gets a new link; anyone else a warning."""
    with db.transaction():
        if member.status is MemberStatus.PENDING and member.email_verified_at is None:
            emails.send_verification(member, issue_token(member, TokenPurpose.VERIFY))
        else:
            emails.send_already_registered(member)


def verify_email(token):
    with db.transaction():
        found = redeem_token(token, [TokenPurpose.VERIFY])
        found.member.email_verified_at = found.member.email_verified_at or utcnow()
        record(AuditEventType.EMAIL_VERIFIED, found.member)


@contextmanager
def no_faster_than(seconds):
    """Take at least `seconds`, so that timing does not tell which branch ran."""
    deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        time.sleep(max(0.0, deadline - time.monotonic()))


def request_reset(email):
    """Email a reset link to an active member with this email; nothing for anyone else.

    Known and unknown emails take the same time (FORGOT_MIN_SECONDS).
    """
    with no_faster_than(current_app.config["FORGOT_MIN_SECONDS"]):
        _send_reset_link(email)


def _send_reset_link(email):
    member = find_member_by_email(email)
    if member is None or member.status is not MemberStatus.ACTIVE or member.deleted_at:
        return
    with db.transaction():
        token = issue_token(member, TokenPurpose.RESET)
        record(AuditEventType.RESET_REQUESTED, member)
        emails.send_reset(member, token, current_app.config["RESET_TOKEN_SECONDS"] // 60)


def reset_password(token, new_password):
    """Set the password from a reset or invitation link; every login of the member ends."""
    with db.transaction():
        found = redeem_token(token, PASSWORD_PURPOSES)
        member = found.member
        _set_password(member, new_password)
        # The link was emailed to the address: using it proves the address.
        member.email_verified_at = member.email_verified_at or utcnow()
        record(AuditEventType.RESET_COMPLETED, member, purpose=found.purpose.value)
    end_member_sessions(member)


def change_password(member, current_password, new_password, current_session_id):
    """Change the password; every other login of the member ends."""
    if not member.check_password(current_password):
        raise APIError("The current password is wrong.", status=400, code="invalid_password",
                       errors={"json": {"current_password": ["Wrong password."]}})
    with db.transaction():
        _set_password(member, new_password)
        record(AuditEventType.PASSWORD_CHANGED, member, actor=member)
    end_member_sessions(member, keep=current_session_id)


def _set_password(member, new_password):
    member.password = new_password
    member.password_changed_at = utcnow()
    drop_tokens(member, PASSWORD_PURPOSES)
