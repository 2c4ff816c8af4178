"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from api.models.account_token import AccountToken, TokenPurpose
from api.models.audit_event import AuditEvent, AuditEventType
from api.models.auth_session import AuthSession
from api.models.base import Base
from api.models.member import Member, MemberStatus, Role
from api.models.park import Park

__all__ = ["AccountToken", "AuditEvent", "AuditEventType", "AuthSession", "Base", "Member",
           "MemberStatus", "Park", "Role", "TokenPurpose"]
