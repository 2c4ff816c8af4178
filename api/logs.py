"""Logging with a request id on every line, and the X-Request-ID response header.

The one place logs are set up: plain text in development, one JSON object per line in
production (`LOG_FORMAT=json`), for the app's loggers and for gunicorn's (see
`config/gunicorn.conf.py`).
"""

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request
from gunicorn import glogging

REQUEST_ID_HEADER = "X-Request-ID"
# A client- or proxy-chosen id is kept only when it is short and plain.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (and any `fields`)."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry |= getattr(record, "fields", {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_formatter(log_format):
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


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
    handler.setFormatter(make_formatter(app.config["LOG_FORMAT"]))
    app.logger.handlers[:] = [handler]
    api_logger = logging.getLogger("api")
    api_logger.handlers[:] = [handler]
    api_logger.setLevel(app.config["LOG_LEVEL"])
    api_logger.propagate = False


class GunicornJsonLogger(glogging.Logger):
    """Gunicorn's logger writing JSON lines; access lines carry the response's request id."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "method": atoms["m"], "path": atoms["U"], "query": atoms["q"] or None,
            "status": int(atoms["s"]), "bytes": atoms["B"], "duration_ms": atoms["M"],
            "remote_addr": atoms["h"], "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        request_id = atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i")
        self.access_log.info("%s %s %s", atoms["m"], atoms["U"], atoms["s"],
                             extra={"request_id": request_id, "fields": fields})
