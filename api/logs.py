"""Logging with a request id on every line, and the X-Request-ID response header."""

import logging
import re
import uuid

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# A client- or proxy-chosen id is kept only when it is short and plain.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def init_request_ids(app):
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def send_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response


def configure_logging(app):
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    app.logger.handlers[:] = [handler]
    api_logger = logging.getLogger("api")
    api_logger.handlers[:] = [handler]
    api_logger.setLevel(app.config["LOG_LEVEL"])
    api_logger.propagate = False
