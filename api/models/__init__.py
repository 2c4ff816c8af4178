"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from api.models.account_token import AccountToken, TokenPurpose
from api.models.api_key import ApiKey, ApiKeyKind, ApiKeyUsage
from api.models.audit_event import AuditEvent, AuditEventType
from api.models.auth_session import AuthSession
from api.models.base import Base
from api.models.event import (
    AttendanceMode,
    Event,
    EventMode,
    EventSession,
    EventStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionParticipant,
    SessionType,
    event_news,
    event_parks,
    event_reports,
)
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

__all__ = ["Access", "AccountToken", "ApiKey", "ApiKeyKind", "ApiKeyUsage", "AttendanceMode",
           "AuditEvent", "AuditEventType", "AuthSession", "Base", "Event", "EventMode",
           "EventSession", "EventStatus", "Media", "Member", "MemberStatus", "News",
           "NewsSpeaker", "NewsStatus", "OutboxItem", "OutboxStatus", "Park",
           "ParticipantRole", "Registration", "RegistrationStatus", "Report", "ReportDownload",
           "Role", "SearchDocument", "SessionParticipant", "SessionType", "Speaker",
           "SpeakerRole", "TokenPurpose", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent",
           "WebhookEventType", "WorkerHeartbeat", "event_news", "event_parks", "event_reports",
           "news_parks", "news_reports",
           "report_parks"]
