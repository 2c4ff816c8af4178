"""Members: creating and managing accounts."""

from api.errors import APIError, Conflict
from api.extensions import db
from api.models import Member, MemberStatus
from api.security import password_problems
from api.services.auth import find_member_by_email


def create_member(email, password, role, full_name, status=MemberStatus.ACTIVE):
    """Create an account; 409 when the email is taken."""
    problems = password_problems(password)
    if problems:
        raise APIError("The password is too weak.", status=422, code="validation_error",
                       errors={"json": {"password": problems}})
    if find_member_by_email(email) is not None:
        raise Conflict(f"A member with the email {email} exists.")
    member = Member(email=email.lower(), full_name=full_name, role=role, status=status)
    member.password = password
    with db.transaction("A member with this email exists."):
        db.session.add(member)
    return member
