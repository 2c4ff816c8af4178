"""The demo data set, from the community's article on its 2021 forum. Loading it is idempotent."""

import hashlib
import io
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from api.extensions import db
from api.models import (
    Access,
    Event,
    EventSession,
    EventStatus,
    Member,
    MemberStatus,
    News,
    NewsSpeaker,
    NewsStatus,
    Park,
    ParticipantRole,
    Report,
    Role,
    SessionParticipant,
    SessionType,
    Speaker,
    SpeakerRole,
)
from api.models.base import utcnow
from api.refs import make_slug
from api.sanitize import summarize
from api.services import seed_content
from api.storage import get_storage, new_key

SOURCE = "The 2021 Community of International Science-Industry Parks Forum (2021-12-09)"

PARKS: list[dict[str, Any]] = [
    {
        "name": "Peking University Science Park",
        "country": "CN",
        "city": "Beijing",
        "description": (
            "Science park of Peking University. At the 2021 CISIP Forum its president, "
            "Song Qi, said its digital economy cultivation works in five areas: a technical "
            "support platform, digital application scenarios, a science and technology "
            "service platform, a talent cultivation programme and technology investment."
        ),
        "focus_industries": ["digital economy"],
    },
    {
        "name": "Taguspark",
        "country": "PT",
        "city": "Oeiras",
        "description": (
            "Science and technology park in Portugal. Its CEO, Dr. Eduardo Baptista Correia, "
            "told the 2021 CISIP Forum that it focuses on the pharmaceutical and software "
            "industries, with food, energy, materials and defence as key areas for future "
            "development, and that it seeks to draw on Portugal's marine industry."
        ),
        "focus_industries": ["pharmaceuticals", "software"],
    },
    {
        "name": "Pakistan Special Technology Zones Authority",
        "country": "PK",
        "city": None,
        "description": (
            "The authority establishing Pakistan's Special Technology Zones. Its chairman, "
            "Amer Ahmed Hashimi, presented Pakistan's knowledge economy strategy at the "
            "2021 CISIP Forum."
        ),
        "focus_industries": ["technology zones"],
    },
    {
        "name": "The India-China Technology Transfer Centre",
        "country": "IN",
        "city": None,
        "description": (
            "Technology transfer centre in India. Its deputy chairman, Vijay Kant Mishra, "
            "told the 2021 CISIP Forum that the park had improved its operational efficiency "
            "through India's fast-growing digital economy."
        ),
        "focus_industries": ["technology transfer", "digital economy"],
    },
]

# Development logins only: `seed demo` refuses to run in production.
DEMO_LOGINS: list[dict[str, Any]] = [
    {"email": "admin@cisip.example", "password": "cisip-demo-admin", "role": Role.ADMIN,
     "full_name": "CISIP Administrator", "organization": "CISIP"},
    {"email": "editor@cisip.example", "password": "cisip-demo-editor", "role": Role.EDITOR,
     "full_name": "CISIP Editor", "organization": "CISIP"},
    {"email": "song.qi@cisip.example", "password": "cisip-demo-member", "role": Role.MEMBER,
     "full_name": "Song Qi", "title": "President", "country": "CN",
     "organization": "Peking University Science Park",
     "park": "peking-university-science-park"},
    {"email": "wu.wensheng@cisip.example", "password": "cisip-demo-member", "role": Role.MEMBER,
     "full_name": "Wu Wensheng", "title": "General Manager", "country": "CN",
     "organization": "GEI"},
    {"email": "wang.mingyang@cisip.example", "password": "cisip-demo-member",
     "role": Role.MEMBER, "full_name": "Wang Mingyang",
     "title": "Director of International Business", "country": "CN", "organization": "GEI"},
    {"email": "eduardo.correia@cisip.example", "password": "cisip-demo-member",
     "role": Role.MEMBER, "full_name": "Eduardo Baptista Correia", "title": "CEO",
     "country": "PT", "organization": "Taguspark", "park": "taguspark"},
]


REPORT: dict[str, Any] = {
    "title": "2021 Report on the Development of B&R Science Parks",
    "year": 2021,
    "published_at": datetime(2021, 12, 9, tzinfo=UTC),
    "access": Access.MEMBERS,
    "summary": (
        "Released at the 2021 CISIP Forum on the theme \"Digital economy -- a new driving force "
        "for global recovery\". The report analyzes the new trends in the development of "
        "science parks, introduces the major events of international science parks in 2020, "
        "and then focuses on the digital economy development of \"Belt and Road\" Sci&tech "
        "parks and China's high-tech zones; the main digital economy results in 2020 are "
        "summarized and prospected at the end of the report, and events of the CISIP in the "
        "past for more than a year of development are also summarized."
    ),
    "parks": ["peking-university-science-park", "pakistan-special-technology-zones-authority",
              "taguspark"],
    # Our word-for-word translation of the English title ("B&R" is the Belt and Road,
    # 一带一路), not a quotation of an official Chinese title, which the article does not give.
    "translations": {"zh": {"title": "2021年“一带一路”科技园区发展报告"}},
}


def demo_pdf(title, lines):
    """A small, valid one-page PDF (Helvetica text), written by hand."""

    def escape(text):
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 16 Tf 56 790 Td ({escape(title)}) Tj /F1 10 Tf"]
    text += [f"0 -16 Td ({escape(line)}) Tj" for line in lines]
    content = ("\n".join(text) + "\nET").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def seed_report():
    """The 2021 report, members-only, with a generated PDF; answer 1 if it was added."""
    slug = make_slug(REPORT["title"])
    if db.session.scalar(select(Report.id).where(Report.slug == slug)) is not None:
        return 0
    data = {key: value for key, value in REPORT.items() if key != "parks"}
    content = demo_pdf(REPORT["title"], [SOURCE, "Demo file of the CISIP API."])
    key = new_key("reports", "pdf")
    get_storage().save(key, io.BytesIO(content), "application/pdf")
    report = Report(slug=slug, file_key=key, file_name=f"{slug}.pdf", file_size=len(content),
                    file_content_type="application/pdf",
                    file_sha256=hashlib.sha256(content).hexdigest(), **data)
    report.parks = list(db.session.scalars(select(Park).where(Park.slug.in_(REPORT["parks"]))
                                           .order_by(Park.name)))
    db.session.add(report)
    return 1


def seed_demo():
    """Add whatever of the demo data set is missing; answer counts of what was added."""
    added = {"parks": 0, "members": 0, "speakers": 0, "news": 0, "reports": 0, "events": 0}
    with db.transaction():
        for data in PARKS:
            slug = make_slug(data["name"])
            if db.session.scalar(select(Park.id).where(Park.slug == slug)) is None:
                db.session.add(Park(slug=slug, is_member=True, **data))
                added["parks"] += 1
        db.session.flush()
        for data in DEMO_LOGINS:
            data = dict(data)
            if db.session.scalar(select(Member.id).where(Member.email == data["email"])):
                continue
            park_slug = data.pop("park", None)
            password = data.pop("password")
            # Demo accounts count as verified, as the command line's do.
            member = Member(status=MemberStatus.ACTIVE, email_verified_at=utcnow(), **data)
            member.password = password
            if park_slug:
                member.park = db.session.scalar(select(Park).where(Park.slug == park_slug))
            db.session.add(member)
            added["members"] += 1
        added["speakers"] = _seed_speakers()
        added["news"] = _seed_news()
        added["reports"] = seed_report()
        _link_news_and_report()
        added["events"] = _seed_event()
    return added


def _link_news_and_report():
    """The forum's news item is about the report it released (linked once)."""
    db.session.flush()
    news = db.session.scalar(select(News).where(News.slug == make_slug(seed_content.TITLE)))
    report = db.session.scalar(select(Report).where(Report.slug == make_slug(REPORT["title"])))
    if news is not None and report is not None and report not in news.reports:
        news.reports.append(report)


def _park(slug):
    return db.session.scalar(select(Park).where(Park.slug == slug)) if slug else None


def _seed_speakers():
    added = 0
    for data in seed_content.SPEAKERS:
        fields = {k: v for k, v in data.items() if k not in ("park", "role", "talk_title")}
        slug = make_slug(data["name"])
        if db.session.scalar(select(Speaker.id).where(Speaker.slug == slug)) is None:
            db.session.add(Speaker(slug=slug, park=_park(data.get("park")), **fields))
            added += 1
    db.session.flush()
    return added


def _seed_news():
    slug = make_slug(seed_content.TITLE)
    if db.session.scalar(select(News.id).where(News.slug == slug)) is not None:
        return 0
    news = News(title=seed_content.TITLE, slug=slug, body=seed_content.BODY,
                summary=summarize(seed_content.BODY), status=NewsStatus.PUBLISHED,
                published_at=seed_content.PUBLISHED_AT, tags=seed_content.TAGS,
                parks=[_park(park) for park in seed_content.PARKS])
    speakers = {s.slug: s for s in db.session.scalars(select(Speaker))}
    news.speaker_links = [
        NewsSpeaker(speaker=speakers[make_slug(data["name"])], role=SpeakerRole(data["role"]),
                    talk_title=data["talk_title"], position=position)
        for position, data in enumerate(seed_content.SPEAKERS)
    ]
    db.session.add(news)
    return 1


def _seed_event():
    """The forum as an event with its agenda (illustrative times, see `seed_content.AGENDA`),
    linked to its news item and the report it released; answer 1 if it was added."""
    data = seed_content.EVENT
    slug = make_slug(data["title"])
    if db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        return 0
    zone = ZoneInfo(data["timezone"])
    day = datetime.fromisoformat(seed_content.EVENT_DAY).date()

    def at(clock):
        return datetime.combine(day, time.fromisoformat(clock), zone).astimezone(UTC)

    agenda = seed_content.AGENDA
    event = Event(
        slug=slug, title=data["title"], theme=data["theme"], summary=data["summary"],
        body=data["body"], status=EventStatus(data["status"]), published_at=data["published_at"],
        starts_at=at(agenda[0]["at"][0]), ends_at=at(agenda[-1]["at"][1]),
        timezone=data["timezone"], start_date=day, mode=data["mode"],
        venue_city=data["venue"]["city"], country=data["venue"]["country"],
        streams=data["streams"], organizers=data["organizers"], stats=data["stats"], sequence=0,
        parks=list(db.session.scalars(select(Park).where(Park.slug.in_(data["parks"]))
                                      .order_by(Park.name))),
        news=list(db.session.scalars(select(News).where(
            News.slug == make_slug(seed_content.TITLE)))),
        reports=list(db.session.scalars(select(Report).where(
            Report.slug == make_slug(REPORT["title"])))))
    speakers = {s.slug: s for s in db.session.scalars(select(Speaker))}
    for number, item in enumerate(agenda, start=1):
        session = EventSession(
            number=number, position=number, type=SessionType(item["type"]), title=item["title"],
            starts_at=at(item["at"][0]), ends_at=at(item["at"][1]), room=item.get("room"))
        session.participants = [
            SessionParticipant(speaker=speakers[make_slug(name)], role=ParticipantRole(role),
                               talk_title=talk, position=position)
            for position, (name, role, talk) in enumerate(item["participants"])]
        event.sessions.append(session)
    db.session.add(event)
    return 1
