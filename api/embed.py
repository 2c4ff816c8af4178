"""The drop-in news widget for partner sites, at a versioned URL with long cache headers."""

from pathlib import Path

from flask import Blueprint, send_from_directory

WIDGET_DIR = Path(__file__).resolve().parent / "static" / "embed"
# The URL carries the major version; a week of caching with revalidation by ETag.
WIDGET_MAX_AGE = 7 * 24 * 3600

blp = Blueprint("embed", __name__)


@blp.get("/embed/v1/news.js")
def news_widget():
    response = send_from_directory(WIDGET_DIR, "news.js", max_age=WIDGET_MAX_AGE,
                                   mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={WIDGET_MAX_AGE}"
    return response
