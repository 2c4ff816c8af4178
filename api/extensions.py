"""Extensions. `db` is bound to each app with `init_app`; the API and JWT managers keep
per-app state, so `create_app` makes one of each per app."""

import http
from typing import Any

import flask_smorest
from flask_jwt_extended import JWTManager
from flask_smorest.utils import prepare_response

from api.db import Database
from api.errors import PROBLEM_JSON, ProblemSchema, handle_http_exception


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering and documenting errors as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


db = Database()


def init_api(app):
    api = Api(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.spec.components.security_scheme("cookieAuth", {
        "type": "apiKey", "in": "cookie", "name": "access_token_cookie",
        "description": "Browser SPAs: the httpOnly cookie set by `POST /auth/login` with "
        "`use_cookies: true`. Writes also need the `csrf_access_token` cookie's value in an "
        "`X-CSRF-TOKEN` header."})
    return api


def init_jwt(app):
    return JWTManager(app)
