"""Security headers on every response: a deny-all policy for JSON, a strict one for /docs.

A view that sets one of these headers itself (an HTML or embeddable response) keeps its own.
"""

from flask import current_app, request

# JSON never needs to load, run or frame anything.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The self-hosted Swagger UI: scripts and styles from our origin only (its start-up script is
# a static file, not inline), the spec fetched from here. Swagger UI sets `style` attributes,
# hence 'unsafe-inline' for styles only; its icons are data: URIs.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"


def init_security_headers(app):
    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        csp = DOCS_CSP if request.endpoint == DOCS_ENDPOINT else API_CSP
        headers.setdefault("Content-Security-Policy", csp)
        hsts_seconds = current_app.config["HSTS_SECONDS"]
        if hsts_seconds:
            headers.setdefault("Strict-Transport-Security",
                               f"max-age={hsts_seconds}; includeSubDomains")
        return response
