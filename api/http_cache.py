"""HTTP caching headers: what shared caches may keep, and what they never may."""

from flask import request


def init_http_cache(app):
    @app.after_request
    def mark_private_responses(response):
        # Anything answered to a caller who sent credentials may be about them.
        if "Authorization" in request.headers and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response
