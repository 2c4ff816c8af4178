"""The Blueprint every resource uses: flask-smorest's, plus the API's list and auth shapes."""

import functools

import flask_smorest
from flask import Response

from api import auth
from api.errors import PROBLEM_JSON, ProblemSchema
from api.models import Role
from api.pagination import LINK_HEADER_DOC, link_header, page_schema
from api.parsing import Parser


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's `arguments`, with the schema built once instead of per request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args,
                                 **kwargs)

    def paginated(self, item_schema):
        """Answer the view's `Page` as the list envelope with a Link header (a view may also
        answer a whole `Response`, such as the list in another format)."""
        envelope = page_schema(item_schema)

        def decorator(view):
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                page = view(*args, **kwargs)
                if isinstance(page, Response):
                    return page
                body = {"items": page.items, "pagination": page.pagination}
                return body, 200, {"Link": link_header(page)}

            return self.response(200, envelope, headers=LINK_HEADER_DOC)(wrapper)

        return decorator

    def auth_required(self, role=Role.MEMBER, *, optional=False, refresh=False):
        """Require a login of at least `role` (see `api.auth.auth_required`), and document it."""

        def decorator(view):
            wrapped = auth.auth_required(role, optional=optional, refresh=refresh)(view)
            security: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]
            if optional:
                security.append({})
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
