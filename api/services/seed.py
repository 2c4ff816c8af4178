"""The demo data set, from the community's article on its 2021 forum. Loading it is idempotent."""

from sqlalchemy import select

from api.extensions import db
from api.models import (
    Member,
    MemberStatus,
    News,
    NewsSpeaker,
    NewsStatus,
    Park,
    Role,
    Speaker,
    SpeakerRole,
)
from api.refs import make_slug
from api.sanitize import summarize
from api.services import seed_content

SOURCE = "The 2021 Community of International Science-Industry Parks Forum (2021-12-09)"

PARKS = [
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
DEMO_LOGINS = [
    {"email": "admin@cisip.example", "password": "cisip-demo-admin", "role": Role.ADMIN,
     "full_name": "CISIP Administrator", "organization": "CISIP"},
    {"email": "editor@cisip.example", "password": "cisip-demo-editor", "role": Role.EDITOR,
     "full_name": "CISIP Editor", "organization": "CISIP"},
    {"email": "song.qi@cisip.example", "password": "cisip-demo-member", "role": Role.MEMBER,
     "full_name": "Song Qi", "title": "President", "country": "CN",
     "organization": "Peking University Science Park",
     "park": "peking-university-science-park"},
]


def seed_demo():
    """Add whatever of the demo data set is missing; answer counts of what was added."""
    added = {"parks": 0, "members": 0, "speakers": 0, "news": 0}
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
            member = Member(status=MemberStatus.ACTIVE, **data)
            member.password = password
            if park_slug:
                member.park = db.session.scalar(select(Park).where(Park.slug == park_slug))
            db.session.add(member)
            added["members"] += 1
        added["speakers"] = _seed_speakers()
        added["news"] = _seed_news()
    return added


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
