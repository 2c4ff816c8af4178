"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from api.models.account_token import AccountToken, TokenPurpose
from api.models.audit_event import AuditEvent, AuditEventType
from api.models.auth_session import AuthSession
from api.models.base import Base
from api.models.media import Media
from api.models.member import Member, MemberStatus, Role
from api.models.news import News, NewsSpeaker, NewsStatus, SpeakerRole, news_parks, news_reports
from api.models.outbox import OutboxItem, OutboxStatus, WorkerHeartbeat
from api.models.park import Park
from api.models.report import Access, Report, ReportDownload, report_parks
from api.models.search import SearchDocument
from api.models.speaker import Speaker
from api.models.webhook import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)

__all__ = ["Access", "AccountToken", "AuditEvent", "AuditEventType", "AuthSession", "Base",
           "Media", "Member", "MemberStatus", "News", "NewsSpeaker", "NewsStatus", "OutboxItem",
           "OutboxStatus", "Park", "Report", "ReportDownload", "Role", "SearchDocument",
           "Speaker", "SpeakerRole", "TokenPurpose", "WebhookDelivery", "WebhookEndpoint",
           "WebhookEvent", "WebhookEventType", "WorkerHeartbeat", "news_parks", "news_reports",
           "report_parks"]
