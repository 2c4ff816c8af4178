"""Feeds for partner sites: the newest public news as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""

from flask.views import MethodView

from api.api_keys import route_taking_key
from api.blueprint import Blueprint
from api.schemas.feeds import FeedArgsSchema, JsonFeedSchema, ParkFeedArgsSchema
from api.services import feeds

blp = Blueprint("feeds", __name__, url_prefix="/api/v1",
                description="News feeds (RSS, Atom, JSON Feed) for partner sites and readers.")

FORMAT_NAMES = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json": "JSON Feed 1.1"}
ARTICLES = {"rss": "an", "atom": "an", "json": "a"}
# operationIds of the news feed and of the park feed, per format.
OPERATION_IDS = {"rss": ("getNewsFeedRss", "getParkFeedRss"),
                 "atom": ("getNewsFeedAtom", "getParkFeedAtom"),
                 "json": ("getNewsFeedJson", "getParkFeedJson")}
FEED_DOC = """

Items are the newest published news (`limit`, default 20), newest first, each with its
title, a link to the article on the frontend, summary, full sanitised HTML content, author,
tags as categories, cover image (enclosure / image) and a stable id (`urn:uuid:` and the
news item's id). Text comes in the language of `lang` or `Accept-Language` when translated.
Readable from any origin; answers `ETag` and `Last-Modified` (the newest item's change) and
304 to `If-None-Match` or `If-Modified-Since`.
"""


def feed_views(kind):
    """Register the news feed and the per-park feed in one format."""
    content_type = feeds.FORMATS[kind][0]
    name = f"{ARTICLES[kind]} {FORMAT_NAMES[kind]}"
    schema = JsonFeedSchema if kind == "json" else {"type": "string",
                                                    "contentMediaType": content_type}
    answer = blp.response(200, schema, content_type=content_type,
                          description=f"The feed, {name} document.",
                          headers={"Last-Modified": {
                              "description": "When the newest item last changed.",
                              "schema": {"type": "string"}}})

    news_feed_id, park_feed_id = OPERATION_IDS[kind]

    class NewsFeed(MethodView):
        @blp.doc(operationId=news_feed_id)
        @blp.auth_required(optional=True)
        @blp.arguments(FeedArgsSchema, location="query")
        @blp.cached("feed")
        @answer
        def get(self, args):
            return feeds.news_feed(kind, args)

    NewsFeed.get.__doc__ = f"Get the news as {name} feed." + FEED_DOC + (
        "Filter by `park` (id or slug), `tag` and `country` (of a linked park).")

    class ParkFeed(MethodView):
        @blp.doc(operationId=park_feed_id)
        @blp.auth_required(optional=True)
        @blp.arguments(ParkFeedArgsSchema, location="query")
        @blp.cached("feed")
        @answer
        @blp.problem(404, "No park has this id or slug.")
        def get(self, args, ref):
            return feeds.news_feed(kind, args, park_ref=ref)

    ParkFeed.get.__doc__ = (f"Get the news that mention a park as {name} feed."
                            + FEED_DOC + "Filter by `tag` and `country`.")

    route_taking_key(blp, f"/feeds/news.{kind}", endpoint=f"news_{kind}")(NewsFeed)
    route_taking_key(blp, f"/parks/<ref>/feed.{kind}", endpoint=f"park_{kind}")(ParkFeed)


for feed_kind in feeds.FORMATS:
    feed_views(feed_kind)
