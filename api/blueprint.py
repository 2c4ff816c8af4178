"""The Blueprint every resource uses: flask-smorest's, plus the API's list, auth and doc shapes."""

import functools

import flask_smorest
from flask import Response, g
from flask_smorest.utils import prepare_response

from api import auth, http_cache, item_cache
from api.errors import PROBLEM_JSON, ProblemSchema
from api.models import Role
from api.pagination import LINK_HEADER_DOC, link_header, page_schema
from api.parsing import Parser
from api.translations import LanguageArgsSchema

WRITE_METHODS = ("post", "put", "patch", "delete")
BODY_LOCATIONS = ("json", "form", "files")
CSRF_DOC = ("With cookies, the `X-CSRF-TOKEN` header is missing or does not match the CSRF "
            "cookie (`csrf_failed`).")
BINARY = {"type": "string", "format": "binary"}
LOCATION_HEADER_DOC = {
    "Location": {
        "description": "The URL of the new item.",
        "schema": {"type": "string", "format": "uri-reference"},
    }
}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_common_answers_doc)

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's `arguments`, with the schema built once instead of per request.

        Parsed query arguments are kept for the request (`g.query_arguments`): the URLs the
        API builds (`Link`) come from them, never from the literal query string."""
        schema = schema() if isinstance(schema, type) else schema
        decorator = super().arguments(schema, *args, **kwargs)
        if kwargs.get("location") != "query":
            return decorator

        translated = isinstance(schema, LanguageArgsSchema)

        def keep_query_arguments(view):
            @functools.wraps(view)
            def wrapper(*view_args, **view_kwargs):
                g.query_arguments = (schema, view_args[-1])
                if translated:  # the answer has a language even when it holds no item
                    g.setdefault("content_languages", set())
                return view(*view_args, **view_kwargs)

            wrapper.query_schema = schema  # type: ignore[attr-defined]
            return decorator(wrapper)

        return keep_query_arguments

    def paginated(self, item_schema):
        """Answer the view's `Page` as the list envelope with a Link header (its items'
        JSON from `api.item_cache` when the page offers to load them). A view may also
        answer a whole `Response`, such as the list in another format."""
        envelope = page_schema(item_schema)
        dump_schema = item_schema()

        def decorator(view):
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                page = view(*args, **kwargs)
                if isinstance(page, Response):
                    return page
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
        below `@blp.auth_required(optional=True)` and `@blp.arguments` (its 304 is
        documented with every public GET's)."""

        return http_cache.cached(kind)

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

    def problem(self, status, description, schema=ProblemSchema):
        """Document an error answer of the view (problem+json)."""
        return self.alt_response(status, schema=schema, content_type=PROBLEM_JSON,
                                 description=description)

    def file_response(self, status, content_types, description, headers=None):
        """Document an answer of stored bytes (the view returns a streamed `Response`): a
        binary body in each of `content_types`."""

        def decorator(view):
            for content_type in reversed(content_types):
                view = self.alt_response(status, schema=BINARY, content_type=content_type,
                                         description=description, headers=headers,
                                         success=True)(view)
            return view

        return decorator

    def _prepare_arguments_doc(self, doc, doc_info, **kwargs):
        """flask-smorest's, except where a view documents its own `requestBody` (a multipart
        form whose fields and files are read as two arguments): its body arguments are that
        body, not parameters (OpenAPI 3 has no `formData`)."""
        arguments = doc_info.get("arguments")
        if arguments and "requestBody" in doc_info.get("manual_doc", {}):
            arguments["parameters"] = [param for param in arguments["parameters"]
                                       if param.get("in") not in BODY_LOCATIONS]
        doc = super()._prepare_arguments_doc(doc, doc_info, **kwargs)
        if doc.get("parameters") == []:
            del doc["parameters"]
        return doc

    def _prepare_common_answers_doc(self, doc, doc_info, *, spec, method, **_kwargs):
        """Document what any operation of its kind can answer: `security: []` where no login
        is read at all, 304 to a public GET's `If-None-Match`, 400 and 413 for a body, and
        403 for a cookie-authenticated write without its CSRF header."""
        manual = doc_info.get("manual_doc", {})
        if "security" not in manual:
            doc["security"] = []
        responses = doc.setdefault("responses", {})
        by_status = {str(status): value for status, value in responses.items()}

        def add(status, description):
            if str(status) not in by_status:
                response = {"description": description, "schema": ProblemSchema}
                prepare_response(response, spec, PROBLEM_JSON)
                responses[status] = response

        body = manual.get("requestBody") or doc.get("requestBody")
        security = manual.get("security", [])
        if method == "get" and (not security or {} in security):
            responses[304] = {"description": "Not Modified: the `If-None-Match` ETag still "
                              "matches; no body."}
        if body and "application/json" in body["content"]:
            add(400, "The body is not JSON the API takes (malformed, nested too deeply, or "
                "text with unpaired surrogates): `bad_request`.")
        if body:
            add(413, "The body is larger than the server takes (`payload_too_large`).")
        if method in WRITE_METHODS and {"cookieAuth": []} in security:
            if "403" in by_status:
                by_status["403"]["description"] += " " + CSRF_DOC
            else:
                add(403, CSRF_DOC)
        doc["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))
        return doc
