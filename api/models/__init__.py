"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from api.models.account_token import AccountToken, TokenPurpose
from api.models.audit_event import AuditEvent, AuditEventType
from api.models.auth_session import AuthSession
from api.models.base import Base
from api.models.media import Media
from api.models.member import Member, MemberStatus, Role
from api.models.park import Park
from api.models.report import Access, Report, ReportDownload, report_parks

__all__ = ["Access", "AccountToken", "AuditEvent", "AuditEventType", "AuthSession", "Base",
           "Media", "Member", "MemberStatus", "Park", "Report", "ReportDownload", "Role",
           "TokenPurpose", "report_parks"]
