"""News feeds for partner sites: RSS 2.0 and Atom 1.0 (feedgen) and JSON Feed 1.1.

The builders take news items as the API shows them (`NewsSchema` output), so a feed says
exactly what the JSON API says; `news_feed` answers a feed request with them. Whatever a
feed carries as HTML is sanitised as it is built, and text is escaped where a reader takes
HTML (RSS `description`), so a feed is safe whatever was stored.
"""

import html
import json
import mimetypes
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from flask import Response, current_app, request
from lxml import etree

from api.cache_contract import response_dependencies
from api.item_cache import dump_items
from api.sanitize import clean_html, xml_safe
from api.schemas.feeds import DEFAULT_LIMIT
from api.schemas.news import NewsSchema
from api.schemas.park import ParkSummarySchema
from api.services.news import list_news
from api.services.parks import get_park
from api.translations import requested_language
from api.viewer import Viewer

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
NEWS_SCHEMA = NewsSchema()
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class FeedMeta:
    title: str
    description: str
    home_page_url: str  # the frontend's news page
    feed_url: str  # this feed
    language: str
    article_url: str  # the frontend's article URL, with `{slug}`


def parse_time(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def item_updated(item):
    """When an item last changed for its readers: its last edit, or its publication when that
    came later (a scheduled item going public)."""
    published = parse_time(item["published_at"])
    updated = parse_time(item.get("updated_at"))
    return max(updated, published) if updated else published


def last_modified(items):
    """When the newest item changed, for `Last-Modified`; None for an empty feed."""
    return max((item_updated(item) for item in items), default=None)


def _xml_safe(value):
    """`value` (JSON data) with the characters XML 1.0 forbids dropped from every string:
    text stored before they were refused must not break a feed."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {key: _xml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_xml_safe(item) for item in value]
    return value


def _content_html(item):
    """The item's body as a feed carries it: HTML sanitised again, whatever was stored."""
    return clean_html(item.get("body") or "")


def _generator(meta, items, kind):
    meta, items = FeedMeta(**_xml_safe(asdict(meta))), _xml_safe(items)
    feed = FeedGenerator()
    feed.load_extension("dc")
    feed.id(meta.feed_url)
    feed.title(meta.title)
    feed.subtitle(meta.description)
    feed.description(meta.description)
    feed.language(meta.language)
    feed.link(href=meta.feed_url, rel="self",
              type="application/rss+xml" if kind == "rss" else "application/atom+xml")
    # feedgen 1.0 makes the last link the RSS channel's <link>: the home page, so last.
    feed.link(href=meta.home_page_url, rel="alternate")
    feed.updated(last_modified(items) or datetime(2000, 1, 1, tzinfo=UTC))
    feed.generator("CISIP API")
    # feedgen prepends entries; add the oldest first so the newest leads the feed.
    for item in reversed(items):
        _add_entry(feed.add_entry(), item, meta)
    return feed


def _add_entry(entry, item, meta):
    link = meta.article_url.format(slug=item["slug"])
    entry.id(f"urn:uuid:{item['id']}")
    entry.guid(f"urn:uuid:{item['id']}", permalink=False)
    entry.title(item["title"])
    entry.link(href=link, rel="alternate")
    # The summary is text: Atom says so (`type="text"`); RSS readers take `description` as
    # HTML, so there it is escaped.
    entry.summary(item.get("summary") or "", type="text")
    entry.description(html.escape(item.get("summary") or ""))
    entry.content(_content_html(item), type="html")
    entry.published(parse_time(item["published_at"]))
    entry.updated(item_updated(item))
    if item.get("author"):
        entry.author({"name": item["author"]["full_name"]})
        entry.dc.dc_creator(item["author"]["full_name"])
    for tag in item.get("tags", []):
        entry.category(term=tag, label=tag)
    cover = item.get("cover_image")
    if cover:
        entry.enclosure(cover["url"], 0, _image_type(cover["url"]))


def _image_type(url):
    return mimetypes.guess_type(url)[0] or "image/jpeg"


def rss(meta, items):
    return _generator(meta, items, "rss").rss_str(pretty=False)


def atom(meta, items):
    document = etree.fromstring(_generator(meta, items, "atom").atom_str(pretty=False))
    # feedgen 1.0.0 writes entry links without their rel and type (it tests the new XML
    # element instead of the link's data); each entry has its article link, then the cover.
    for entry, item in zip(document.iterfind(f"{ATOM}entry"), items, strict=True):
        links = entry.findall(f"{ATOM}link")
        links[0].attrib.update({"rel": "alternate", "type": "text/html"})
        if len(links) > 1:
            cover = item["cover_image"]["url"]
            links[1].attrib.update({"rel": "enclosure", "type": _image_type(cover),
                                    "length": "0"})
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def json_feed(meta, items):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    return {
        "version": JSON_FEED_VERSION,
        "title": meta.title,
        "description": meta.description,
        "home_page_url": meta.home_page_url,
        "feed_url": meta.feed_url,
        "language": meta.language,
        "items": [_json_item(item, meta) for item in items],
    }


def _json_item(item, meta):
    entry = {
        "id": f"urn:uuid:{item['id']}",
        "url": meta.article_url.format(slug=item["slug"]),
        "title": item["title"],
        "summary": item.get("summary") or "",
        "content_html": _content_html(item),
        "date_published": item["published_at"],
        "date_modified": _rfc3339(item_updated(item)),
        "tags": item.get("tags", []),
        "language": item.get("language") or meta.language,
    }
    if item.get("author"):
        entry["authors"] = [{"name": item["author"]["full_name"]}]
    if item.get("cover_image"):
        entry["image"] = item["cover_image"]["url"]
    return entry


def _rfc3339(moment):
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


FORMATS = {
    "rss": ("application/rss+xml", rss),
    "atom": ("application/atom+xml", atom),
    "json": ("application/feed+json", json_feed),
}
FEED_FILTERS = ("park", "tag", "country")


def news_feed(kind, args, park_ref=None):
    """Answer the newest public news matching `args` as a feed of `kind` (rss, atom, json);
    with `park_ref`, the news of that park (404 when no park has it)."""
    park = get_park(park_ref) if park_ref else None
    filters = {name: args[name] for name in FEED_FILTERS if name in args}
    if park is not None:
        filters["park"] = str(park.id)
    # Feeds never depend on who asks: they show what an anonymous reader sees, through the
    # same query as the public news list.
    viewer = Viewer()
    page = list_news(filters | {"page": 1, "per_page": args["limit"], "sort": "-published_at"},
                     viewer)
    texts = dump_items(NEWS_SCHEMA, page.items, page.load, page.kind, viewer)
    items = [json.loads(text) for text in texts]
    # The response cache tags JSON bodies by their ids; a feed names them itself.
    response_dependencies().shows_json(",".join(texts))
    if park is not None:
        response_dependencies().shows([park.id])
    content_type, build = FORMATS[kind]
    body = build(_meta(args, park), items)
    if isinstance(body, dict):
        body = json.dumps(body, ensure_ascii=False).encode()
    response = Response(body, content_type=f"{content_type}; charset=utf-8")
    modified = last_modified(items)
    if modified is not None:  # (werkzeug would write "now" for None)
        response.last_modified = modified
    return response


def _meta(args, park):
    frontend = current_app.config["FRONTEND_URL"]
    title = "CISIP news"
    description = "News of the Community of International Science-Industry Parks."
    if park is not None:
        name = ParkSummarySchema().dump(park)["name"]
        title = f"{title}: {name}"
        description = f"News of the CISIP community about {name}."
    # The request URL in a canonical form: the same for every request the cache answers alike.
    query = {name: value for name, value in sorted(args.items())
             if not (name == "limit" and value == DEFAULT_LIMIT)}
    feed_url = request.base_url + (f"?{urlencode(query)}" if query else "")
    return FeedMeta(title=title, description=description, home_page_url=f"{frontend}/news",
                    feed_url=feed_url,
                    language=requested_language() or current_app.config["LANGUAGES"][0],
                    article_url=f"{frontend}/news/{{slug}}")
