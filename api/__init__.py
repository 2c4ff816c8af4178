"""The CISIP API: a JSON REST API for the Community of International Science-Industry Parks."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import docs, embed
from api.api_keys import init_api_keys
from api.auth import init_auth, register_jwt_callbacks
from api.cache import init_store
from api.commands import register_commands
from api.cors import init_cors
from api.errors import register_error_handlers
from api.extensions import db, init_api, init_jwt
from api.http_cache import init_http_cache
from api.limits import init_limiter
from api.logs import configure_logging, init_request_ids
from api.mail import init_mail
from api.outbox import init_outbox
from api.parsing import StrictJSONProvider
from api.resources import (
    admin,
    api_keys,
    auth,
    events,
    feeds,
    health,
    media,
    members,
    news,
    parks,
    reports,
    search,
    speakers,
    webhooks,
)
from api.security_headers import init_security_headers
from api.services.search import init_search
from api.storage import init_storage
from api.translations import init_translations
from api.worker import init_worker
from config import INSTANCE_DIR, load_config

# The order of the API documentation.
BLUEPRINTS = (auth.blp, members.blp, parks.blp, news.blp, speakers.blp, reports.blp, events.blp,
              media.blp, search.blp, feeds.blp, webhooks.blp, admin.blp, api_keys.blp,
              health.blp)


class App(Flask):
    """Flask, decoding request JSON strictly (see `api.parsing`)."""

    json_provider_class = StrictJSONProvider


def create_app(config=None):
    """Build an app from `config` (a `config.Config`), or from the environment."""
    app = App(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or load_config())
    app.json.sort_keys = False  # type: ignore[attr-defined]
    configure_logging(app)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app, init_api(app))
    init_limiter(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def trust_proxies(app):
    """Behind N reverse proxies, take the client's address from X-Forwarded-For (rate limits,
    sessions and the audit trail depend on it)."""
    count = app.config["TRUSTED_PROXIES"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_extensions(app):
    db.init_app(app)
    init_store(app)
    init_storage(app)
    register_jwt_callbacks(init_jwt(app))
    init_auth(app)
    init_security_headers(app)
    init_request_ids(app)
    init_api_keys(app)  # before the response cache: a refused key gets no cached answer
    init_http_cache(app)
    init_cors(app)
    init_mail(app)
    init_outbox(app)
    init_worker(app)
    init_translations(app)
    init_search()


def register_blueprints(app, api):
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.blp)
    app.register_blueprint(embed.blp)
