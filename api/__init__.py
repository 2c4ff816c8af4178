"""The CISIP API: a JSON REST API for the Community of International Science-Industry Parks."""

from flask import Flask

from api import docs
from api.auth import register_jwt_callbacks
from api.cache import init_store
from api.commands import register_commands
from api.errors import register_error_handlers
from api.extensions import db, init_api, init_jwt
from api.http_cache import init_http_cache
from api.logs import configure_logging, init_request_ids
from api.resources import auth, health, news, parks, search, speakers
from api.services.counts import init_counts
from api.services.search import init_search
from api.translations import init_translations
from config import INSTANCE_DIR, load_config

# The order of the API documentation.
BLUEPRINTS = (auth.blp, parks.blp, news.blp, speakers.blp, search.blp, health.blp)


def create_app(config=None):
    """Build an app from `config` (a `config.Config`), or from the environment."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or load_config())
    app.json.sort_keys = False
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app, init_api(app))
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app):
    db.init_app(app)
    init_store(app)
    register_jwt_callbacks(init_jwt(app))
    init_request_ids(app)
    init_http_cache(app)
    init_translations(app)
    init_search()
    init_counts()


def register_blueprints(app, api):
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.blp)
