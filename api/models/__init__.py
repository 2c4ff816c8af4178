"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from api.models.auth_session import AuthSession
from api.models.base import Base
from api.models.member import Member, MemberStatus, Role
from api.models.news import News, NewsSpeaker, NewsStatus, SpeakerRole, news_parks
from api.models.park import Park
from api.models.search import SearchDocument
from api.models.speaker import Speaker

__all__ = ["AuthSession", "Base", "Member", "MemberStatus", "News", "NewsSpeaker", "NewsStatus",
           "Park", "Role", "SearchDocument", "Speaker", "SpeakerRole", "news_parks"]
