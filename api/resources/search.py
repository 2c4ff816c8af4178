"""Search: one ranked full-text search across news, parks, speakers and reports."""

from flask.views import MethodView

from api.auth import current_viewer
from api.blueprint import Blueprint
from api.schemas.search import SearchArgsSchema, SearchHitSchema
from api.services import search

blp = Blueprint("search", __name__, url_prefix="/api/v1/search",
                description="Full-text search across the community's content.")


@blp.route("")
class Search(MethodView):
    @blp.doc(operationId="search")
    @blp.auth_required(optional=True)
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.cached("search")
    @blp.paginated(SearchHitSchema)
    def get(self, args):
        """Search news, parks, speakers, reports and events, best matches first.

        `q` takes words (all must match; on PostgreSQL also `"a phrase"`, `or` and
        `-word`); `type` narrows to some of `news`, `park`, `speaker`, `report`, `event`.
        Each hit has its `type`, `id`, `slug`, `title` and a `snippet`: HTML-escaped text
        with the matches in `<mark>`. Unpublished news and reports are found by editors only;
        members-only reports are found by everyone (their files need a login).

        `total` counts at most 1,000 hits: a search matching more reports 1,000, and the
        pages end there. When it matches very many more (words in most items), only its
        1,000 newest matches are ranked and listed.
        """
        return search.search(args, show_unpublished=current_viewer().sees_unpublished)
