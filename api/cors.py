"""Cross-origin access: public reads from any origin; cookies only from CORS_ORIGINS."""

from flask import current_app, request
from flask_cors import CORS

EXPOSED_HEADERS = ["Link", "ETag", "Retry-After", "X-Request-ID", "Content-Language",
                   "Location", "Last-Modified", "RateLimit", "RateLimit-Policy"]
METHODS = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"]


def init_cors(app):
    # Flask runs after-request hooks last-registered first: this one runs after flask-cors.
    app.after_request(allow_credentials_for_trusted_origins)
    CORS(app, resources={r"/api/*": {}, r"/embed/*": {}}, origins="*", send_wildcard=True,
         supports_credentials=False, expose_headers=EXPOSED_HEADERS, methods=METHODS,
         max_age=600)


def allow_credentials_for_trusted_origins(response):
    """Answer an origin of CORS_ORIGINS by name and allow its cookies; every other origin
    keeps the wildcard, which browsers never pair with credentials."""
    trusted = current_app.config["CORS_ORIGINS"]
    if not trusted or not request.path.startswith("/api/"):
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin in trusted and "Access-Control-Allow-Origin" in response.headers:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
