"""Add N generated parks and N published news items (each with a park, a speaker and tags)
to the benchmark database."""

import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from api import create_app
from api.extensions import db
from api.models import News, NewsSpeaker, NewsStatus, Park, Speaker, SpeakerRole


def fill(count):
    app = create_app()
    with app.app_context():
        parks = [Park(name=f"Benchmark Park {n:06d}", slug=f"benchmark-park-{n:06d}",
                      country="PT", city="Oeiras", focus_industries=["software"],
                      description="A generated park for load tests.") for n in range(count)]
        db.session.add_all(parks)
        speaker = db.session.scalars(select(Speaker)).first()
        start = datetime(2022, 1, 1, tzinfo=UTC)
        for n in range(count):
            news = News(title=f"Benchmark news {n:06d}", slug=f"benchmark-news-{n:06d}",
                        body=f"<p>Generated news item {n} about science parks.</p>",
                        summary=f"Generated news item {n}.", status=NewsStatus.PUBLISHED,
                        published_at=start + timedelta(hours=n), tags=["benchmark", "forum"],
                        parks=[parks[n]])
            if speaker is not None:
                news.speaker_links = [NewsSpeaker(speaker=speaker, role=SpeakerRole.SPEAKER,
                                                  talk_title="Load", position=0)]
            db.session.add(news)
        db.session.commit()


if __name__ == "__main__":
    fill(int(sys.argv[1]))
