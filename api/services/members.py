"""Members: creating accounts, the directory, and administration (approve, suspend, delete)."""

from sqlalchemy import func, or_, select

from api.errors import APIError, Conflict, Forbidden, NotFound
from api.extensions import db
from api.models import AuditEventType, Member, MemberStatus, Park, Role, TokenPurpose
from api.models.base import utcnow
from api.models.member import hidden_fields
from api.pagination import paginate
from api.refs import ref_filter
from api.security import password_problems
from api.services import emails, events
from api.services.accounts import drop_tokens, issue_token
from api.services.audit import record
from api.services.auth import end_member_sessions, find_member_by_email, find_park

SORT_COLUMNS = {"full_name": Member.full_name, "created_at": Member.created_at,
                "last_login_at": Member.last_login_at}
ADMIN_FILTERS = ("role", "status")
PERSONAL_FIELDS = ("title", "organization", "country", "park", "bio", "photo_url",
                   "password_hash", "last_login_at", "email_verified_at")


def create_member(email, password, role, full_name, status=MemberStatus.ACTIVE):
    """Create an account for the operator (command line), who vouches for its email address;
    409 when the email is taken."""
    problems = password_problems(password)
    if problems:
        raise APIError("The password is too weak.", status=422, code="validation_error",
                       errors={"json": {"password": problems}})
    if find_member_by_email(email) is not None:
        raise Conflict(f"A member with the email {email} exists.")
    member = Member(email=email.lower(), full_name=full_name, role=role, status=status,
                    email_verified_at=utcnow())
    member.password = password
    with db.transaction("A member with this email exists."):
        db.session.add(member)
    return member


def visible_members(viewer):
    """Members `viewer` may see: admins see every account, others active ones only."""
    stmt = select(Member).where(Member.deleted_at.is_(None))
    if not viewer.has_role(Role.ADMIN):
        stmt = stmt.where(Member.status == MemberStatus.ACTIVE)
    return stmt


def list_members(viewer, args):
    if not viewer.has_role(Role.ADMIN) and any(name in args for name in ADMIN_FILTERS):
        raise Forbidden("Only admins can filter members by role or status.")
    # Sorting reads a field of every member: only a field the viewer may read of all.
    sort_field = args["sort"].lstrip("-")
    if sort_field in hidden_fields(viewer):
        raise Forbidden(f"Only admins can sort members by {sort_field}.")
    stmt = visible_members(viewer)
    if "q" in args:
        words = args["q"].lower()
        stmt = stmt.where(or_(*(func.lower(column).contains(words, autoescape=True)
                                for column in (Member.full_name, Member.organization,
                                               Member.title))))
    if "country" in args:
        stmt = stmt.where(Member.country == args["country"])
    if "park" in args:
        stmt = stmt.join(Park, Member.park_id == Park.id).where(ref_filter(Park, args["park"]))
    for name in ADMIN_FILTERS:
        if name in args:
            stmt = stmt.where(getattr(Member, name) == args[name])
    return paginate(db.session, stmt, args, SORT_COLUMNS)


def get_member(viewer, member_id):
    member = db.session.scalar(visible_members(viewer).where(Member.id == member_id))
    if member is None:
        raise NotFound("No member has this id.")
    return member


def invite_member(admin, data):
    """Create an active member and email them a link to choose their password."""
    data = dict(data)
    if find_member_by_email(data["email"]) is not None:
        raise Conflict("A member with this email exists.")
    member = Member(email=data.pop("email").lower(), status=MemberStatus.ACTIVE)
    member.park = find_park(data.pop("park_id", None))
    for field, value in data.items():
        setattr(member, field, value)
    with db.transaction("A member with this email exists."):
        db.session.add(member)
        db.session.flush()
        token = issue_token(member, TokenPurpose.INVITE)
        record(AuditEventType.MEMBER_INVITED, member, actor=admin, role=member.role.value)
        emails.send_invitation(member, token)
    return member


def update_member(admin, member_id, data):
    """Approve, suspend or change the role of a member; a suspension ends every login."""
    member = get_member(admin, member_id)
    if member.id == admin.id:
        raise Forbidden("Admins cannot change their own role or status.")
    activating = data.get("status") is MemberStatus.ACTIVE and member.status is not \
        MemberStatus.ACTIVE
    if activating and member.email_verified_at is None:
        # A login under an address nobody proved would let anyone act as its owner.
        raise APIError("This member's email address is not verified yet: they must first "
                       "follow the link in the email sent to it.", status=409,
                       code="email_unverified")
    approving = member.status is MemberStatus.PENDING and data.get("status") is \
        MemberStatus.ACTIVE
    with db.transaction():
        for field, event in (("role", AuditEventType.ROLE_CHANGED),
                             ("status", AuditEventType.STATUS_CHANGED)):
            old = getattr(member, field)
            if field in data and data[field] != old:
                setattr(member, field, data[field])
                record(event, member, actor=admin, old=old.value, new=data[field].value)
        if approving:
            emails.send_approved(member)
    if member.status is not MemberStatus.ACTIVE:
        end_member_sessions(member)
    return member


def delete_member(viewer, member_id):
    """Remove the member's personal data; the row stays, anonymised, for authored content."""
    member = get_member(viewer, member_id)
    if member.id != viewer.id and not viewer.has_role(Role.ADMIN):
        raise Forbidden("You can delete only your own account.")
    with db.transaction():
        member.email = f"deleted-{member.id.hex}@deleted.invalid"
        member.full_name = "Former member"
        for field in PERSONAL_FIELDS:
            setattr(member, field, None)
        member.status = MemberStatus.SUSPENDED
        member.deleted_at = utcnow()
        drop_tokens(member, list(TokenPurpose))
        record(AuditEventType.MEMBER_DELETED, member, actor=viewer)
    end_member_sessions(member)
    # Their places at coming events go to the next in the queues.
    events.withdraw_member(member)
