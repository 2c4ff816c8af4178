"""Application settings, read from the environment once per app."""

import os
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Placeholders for development only; production refuses to start with them.
DEV_SECRET_KEY = "dev-secret-key-change-me-0123456789abcdef"  # noqa: S105
DEV_JWT_SECRET_KEY = "dev-jwt-secret-key-change-me-0123456789"  # noqa: S105


class ConfigError(RuntimeError):
    """Raised when the settings cannot run the app safely."""


def _int(env, name, default):
    return int(env.get(name, default))


def _bool(env, name, default):
    return env.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _list(env, name):
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def normalise_database_url(url):
    """Point PostgreSQL URLs at psycopg 3 (SQLAlchemy 2.1 needs the driver named)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    def __init__(self, env=None):
        env = os.environ if env is None else env
        self.SECRET_KEY = env.get("SECRET_KEY", DEV_SECRET_KEY)
        self.JWT_SECRET_KEY = env.get("JWT_SECRET_KEY", DEV_JWT_SECRET_KEY)
        self.DATABASE_URL = normalise_database_url(
            env.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cisip.db'}")
        )
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.CACHE_KEY_PREFIX = env.get("CACHE_KEY_PREFIX", "cisip:")
        self.REDIS_SOCKET_TIMEOUT = float(env.get("REDIS_SOCKET_TIMEOUT", "0.3"))
        self.FRONTEND_URL = env.get("FRONTEND_URL", "http://localhost:3000").rstrip("/")
        self.CORS_ORIGINS = _list(env, "CORS_ORIGINS")
        self.MAIL_URL = env.get("MAIL_URL", f"file://{INSTANCE_DIR / 'outbox'}")
        self.STORAGE_URL = env.get("STORAGE_URL", f"file://{INSTANCE_DIR / 'storage'}")
        self.MAX_CONTENT_LENGTH = _int(env, "MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
        self.LOG_LEVEL = env.get("LOG_LEVEL", "INFO")
        # Languages content is offered in (Accept-Language is matched against them).
        self.LANGUAGES = _list(env, "LANGUAGES") or ["en", "zh"]
        # How long a list's total may be answered from the cache (0: always count).
        self.LIST_COUNT_CACHE_SECONDS = _int(env, "LIST_COUNT_CACHE_SECONDS", 30)

        self.JWT_ACCESS_TOKEN_EXPIRES = timedelta(
            seconds=_int(env, "JWT_ACCESS_TOKEN_SECONDS", 15 * 60)
        )
        self.JWT_REFRESH_TOKEN_EXPIRES = timedelta(
            seconds=_int(env, "JWT_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600)
        )
        # A client that lost the answer to a refresh may retry within this window.
        self.REFRESH_REUSE_GRACE_SECONDS = _int(env, "REFRESH_REUSE_GRACE_SECONDS", 10)
        self.JWT_TOKEN_LOCATION = ["headers"]
        self.JWT_ALGORITHM = "HS256"

        self.PASSWORD_HASH_PROFILE = env.get("PASSWORD_HASH_PROFILE", "default")

        # flask-smorest / OpenAPI
        self.API_TITLE = "CISIP API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.1.0"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "docs"
        self.OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
        self.OPENAPI_SWAGGER_UI_CONFIG = {"persistAuthorization": True}

    def check(self):
        """Refuse settings that would run the app unsafely."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True

    def __init__(self, env=None):
        super().__init__(env)
        self.PASSWORD_HASH_PROFILE = "fast"  # noqa: S105 (a profile name)


class ProductionConfig(Config):
    ENV_NAME = "production"

    def check(self):
        weak = {
            "SECRET_KEY": (self.SECRET_KEY, DEV_SECRET_KEY),
            "JWT_SECRET_KEY": (self.JWT_SECRET_KEY, DEV_JWT_SECRET_KEY),
        }
        for name, (value, default) in weak.items():
            if not value or value == default or len(value) < 32:
                raise ConfigError(
                    f"{name} must be set to a random value of at least 32 characters "
                    "in production."
                )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name=None, env=None):
    """Build the settings for APP_ENV (development by default), reading `.env` first."""
    if env is None:
        load_dotenv(PROJECT_ROOT / ".env")
        env = os.environ
    name = name or env.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.")
    config = CONFIGS[name](env)
    config.check()
    return config
