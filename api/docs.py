"""Serves the Swagger UI assets from the app itself, so `/docs` works without internet."""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, send_from_directory

ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"
STATIC = Path(__file__).parent / "static"

blp = Blueprint("docs_assets", __name__)


@blp.get("/docs/assets/<path:filename>")
def asset(filename):
    return send_from_directory(ASSETS, filename, max_age=7 * 24 * 3600)


@blp.get("/docs/swagger-init.js")
def init_script():
    # Swagger UI's start-up code, kept out of the page so the CSP can forbid inline scripts.
    return send_from_directory(STATIC, "swagger-init.js", max_age=3600)
