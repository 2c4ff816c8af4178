"""The Blueprint every resource uses: flask-smorest's, plus the API's list and auth shapes."""

import functools

import flask_smorest
from flask import Response, g

from api import auth, http_cache, item_cache
from api.errors import PROBLEM_JSON, ProblemSchema
from api.models import Role
from api.pagination import LINK_HEADER_DOC, link_header, page_schema
from api.parsing import Parser


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's `arguments`, with the schema built once instead of per request.

        Parsed query arguments are kept for the request (`g.query_arguments`): the URLs the
        API builds (`Link`) come from them, never from the literal query string."""
        schema = schema() if isinstance(schema, type) else schema
        decorator = super().arguments(schema, *args, **kwargs)
        if kwargs.get("location") != "query":
            return decorator

        def keep_query_arguments(view):
            @functools.wraps(view)
            def wrapper(*view_args, **view_kwargs):
                g.query_arguments = (schema, view_args[-1])
                return view(*view_args, **view_kwargs)

            return decorator(wrapper)

        return keep_query_arguments

    def paginated(self, item_schema):
        """Answer the view's `Page` as the list envelope with a Link header (its items'
        JSON from `api.item_cache` when the page offers to load them)."""
        envelope = page_schema(item_schema)
        dump_schema = item_schema()

        def decorator(view):
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                page = view(*args, **kwargs)
                headers = {"Link": link_header(page)}
                if page.load is not None:
                    texts = item_cache.dump_items(dump_schema, page.items, page.load,
                                                  page.kind, auth.current_viewer())
                    body = item_cache.page_body(texts, page.pagination)
                    return Response(body, mimetype="application/json"), 200, headers
                return {"items": page.items, "pagination": page.pagination}, 200, headers

            return self.response(200, envelope, headers=LINK_HEADER_DOC)(wrapper)

        return decorator

    def cached(self, kind):
        """Serve the view's GETs from the shared response cache (see `api.http_cache`);
        `kind` names what the response depends on (`api.cache_contract.RESPONSES`). Place it
        below `@blp.auth_required(optional=True)` and `@blp.arguments`."""

        def decorator(view):
            wrapped = http_cache.cached(kind)(view)
            return self.alt_response(304, description="Not modified: the `ETag` sent in "
                                     "`If-None-Match` is current.")(wrapped)

        return decorator

    def auth_required(self, role=Role.MEMBER, *, optional=False, refresh=False):
        """Require a login of at least `role` (see `api.auth.auth_required`), and document it."""

        def decorator(view):
            wrapped = auth.auth_required(role, optional=optional, refresh=refresh)(view)
            security: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]
            if optional:
                security.append({})
                wrapped = self.problem(401, "A token was sent and it is invalid, expired or "
                                       "revoked (send none to read as an anonymous caller; "
                                       "refresh it to read as yourself).")(wrapped)
            else:
                wrapped = self.problem(401, "Not logged in, or the token is invalid, expired "
                                       "or revoked.")(wrapped)
            if Role(role) is not Role.MEMBER:
                wrapped = self.problem(403, f"Needs the `{Role(role).value}` role.")(wrapped)
            return self.doc(security=security)(wrapped)

        return decorator

    def problem(self, status, description):
        """Document an error answer of the view (problem+json)."""
        return self.alt_response(status, schema=ProblemSchema, content_type=PROBLEM_JSON,
                                 description=description)
