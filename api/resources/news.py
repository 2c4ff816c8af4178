"""News: what the community publishes about its forums and events, and each park's news."""

from flask import url_for
from flask.views import MethodView

from api.blueprint import Blueprint
from api.http_cache import cached
from api.models import Role
from api.schemas.news import (
    NewsCreateSchema,
    NewsQueryArgsSchema,
    NewsSchema,
    NewsUpdateSchema,
    ParkNewsQueryArgsSchema,
)
from api.services import news
from api.translations import LanguageArgsSchema

blp = Blueprint("news", __name__, url_prefix="/api/v1",
                description="News of the community's forums and events.")

LIST_DOC = """

Anonymous callers and members see published news whose `published_at` has come;
editors see every status (filter with `status`). Filter by words (`q`, full-text), `tag`,
`park`, `speaker` and `report` (id or slug), `country` (of a linked park) and the
publication dates `from` and `to`; sort by `published_at` (default, newest first) or
`title`. Text fields come in the language of `lang` or `Accept-Language` when translated.

With `q`, `total` counts at most 1,000 items and the pages end there: a word found in
more items than that lists the first 1,000 in the order asked (by default the newest).
"""


@blp.route("/news")
class NewsCollection(MethodView):
    @blp.auth_required(optional=True)
    @blp.arguments(NewsQueryArgsSchema, location="query")
    @cached("news", lists=("news", "events"))
    @blp.paginated(NewsSchema)
    @blp.problem(403, "`status` other than `published` needs the `editor` role.")
    def get(self, args):
        return news.list_news(args)

    get.__doc__ = "List news." + LIST_DOC

    @blp.auth_required(Role.EDITOR)
    @blp.arguments(NewsCreateSchema)
    @blp.response(201, NewsSchema)
    @blp.problem(409, "The slug is already taken.")
    def post(self, data):
        """Create a news item (a draft unless `status` says otherwise).

        The body is sanitised HTML; without a `summary` one is made from the body's first
        words. Link parks with `park_ids` and speakers with
        `speakers: [{speaker_id, role, talk_title}]`. The caller is the author.
        """
        item = news.create_news(data)
        return item, 201, {"Location": url_for("news.NewsByRef", ref=item.slug)}


@blp.route("/news/<ref>")
class NewsByRef(MethodView):
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @cached("news", lists=("events",))
    @blp.response(200, NewsSchema)
    @blp.problem(404, "No news item has this id or slug (or it is not public yet).")
    def get(self, _args, ref):
        """Retrieve a news item by id or slug.

        Drafts, archived items and items scheduled for later are visible to editors only.
        """
        return news.get_news(ref)

    @blp.auth_required(Role.EDITOR)
    @blp.arguments(NewsUpdateSchema)
    @blp.response(200, NewsSchema)
    @blp.problem(404, "No news item has this id or slug.")
    @blp.problem(409, "The slug is already taken.")
    def patch(self, data, ref):
        """Update a news item; only the fields sent change.

        Lists sent (`tags`, `images`, `park_ids`, `report_ids`, `speakers`) replace the
        stored ones; `translations` merge by language and field (null removes one). Send
        `summary: null` to derive the summary from the body again.
        """
        return news.update_news(ref, data)

    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, "No news item has this id or slug.")
    def delete(self, ref):
        """Delete a news item."""
        news.delete_news(ref)


@blp.route("/parks/<ref>/news")
class ParkNews(MethodView):
    @blp.auth_required(optional=True)
    @blp.arguments(ParkNewsQueryArgsSchema, location="query")
    @cached("news", lists=("news", "events"))
    @blp.paginated(NewsSchema)
    @blp.problem(403, "`status` other than `published` needs the `editor` role.")
    @blp.problem(404, "No park has this id or slug.")
    def get(self, args, ref):
        return news.list_park_news(ref, args)

    get.__doc__ = "List the news that mention a park." + LIST_DOC
