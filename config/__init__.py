"""Application settings, read from the environment once per app."""

import os
from datetime import timedelta
from pathlib import Path

import limits
from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Placeholders for development only; production refuses to start with them.
DEV_SECRET_KEY = "dev-secret-key-change-me-0123456789abcdef"  # noqa: S105
DEV_JWT_SECRET_KEY = "dev-jwt-secret-key-change-me-0123456789"  # noqa: S105


HTTP_CACHE_DEFAULTS = {
    "default": (60, 30),
    "parks": (300, 60),
    "news": (60, 30),
    "speakers": (300, 60),
    "reports": (300, 60),
    "events": (60, 30),
    "search": (60, 30),
    "feeds": (300, 60),
}

# A reset link never lives longer than this, whatever RESET_TOKEN_SECONDS says.
MAX_RESET_TOKEN_SECONDS = 3600

# Every process sees a change to a partner key within this many seconds, at most.
MAX_API_KEY_STATE_SECONDS = 1.0

# Rate limits (Flask-Limiter notation, `;` separates several). Per account counts only
# failed logins: at most 100 an hour (OWASP ASVS), and no lockout an attacker could use.
RATE_LIMITS = {
    "RATELIMIT_LOGIN_ACCOUNT": "5/minute;100/hour",
    "RATELIMIT_LOGIN_IP": "10/minute",
    "RATELIMIT_REGISTER_ACCOUNT": "3/hour",
    "RATELIMIT_REGISTER_IP": "10/hour",
    "RATELIMIT_FORGOT_ACCOUNT": "3/hour",
    "RATELIMIT_FORGOT_IP": "10/minute",
    "RATELIMIT_RESET_IP": "10/minute",
}


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
    DEFAULT_LOG_FORMAT = "text"
    # Strict-Transport-Security only where the app is known to be served over HTTPS.
    DEFAULT_HSTS_SECONDS = 0
    DEFAULT_CACHE_DEBUG = False
    DEFAULT_WORKER_IN_PROCESS = False

    def __init__(self, env=None):
        env = os.environ if env is None else env
        self.SECRET_KEY = env.get("SECRET_KEY", DEV_SECRET_KEY)
        self.JWT_SECRET_KEY = env.get("JWT_SECRET_KEY", DEV_JWT_SECRET_KEY)
        self.DATABASE_URL = normalise_database_url(
            env.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cisip.db'}")
        )
        # A streaming replica for reads that may lag (the park list); none: all on the primary.
        self.DATABASE_REPLICA_URL = normalise_database_url(env.get("DATABASE_REPLICA_URL", ""))
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.CACHE_KEY_PREFIX = env.get("CACHE_KEY_PREFIX", "cisip:")
        self.REDIS_SOCKET_TIMEOUT = float(env.get("REDIS_SOCKET_TIMEOUT", "0.3"))
        self.FRONTEND_URL = env.get("FRONTEND_URL", "http://localhost:3000").rstrip("/")
        self.CORS_ORIGINS = _list(env, "CORS_ORIGINS")
        self.MAIL_URL = env.get("MAIL_URL", f"file://{INSTANCE_DIR / 'outbox'}")
        self.STORAGE_URL = env.get("STORAGE_URL", f"file://{INSTANCE_DIR / 'storage'}")
        self.S3_ENDPOINT_URL = env.get("S3_ENDPOINT_URL") or None
        self.S3_REGION = env.get("S3_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.AWS_ACCESS_KEY_ID = env.get("AWS_ACCESS_KEY_ID") or None
        self.AWS_SECRET_ACCESS_KEY = env.get("AWS_SECRET_ACCESS_KEY") or None
        self.MAX_CONTENT_LENGTH = _int(env, "MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
        self.MEDIA_MAX_BYTES = _int(env, "MEDIA_MAX_BYTES", 5 * 1024 * 1024)
        self.REPORT_MAX_BYTES = _int(env, "REPORT_MAX_BYTES", 15 * 1024 * 1024)
        self.DOWNLOAD_LINK_SECONDS = _int(env, "DOWNLOAD_LINK_SECONDS", 10 * 60)
        self.REPORT_DAILY_DOWNLOAD_QUOTA = _int(env, "REPORT_DAILY_DOWNLOAD_QUOTA", 50)
        self.LOG_LEVEL = env.get("LOG_LEVEL", "INFO")
        self.LOG_FORMAT = env.get("LOG_FORMAT") or self.DEFAULT_LOG_FORMAT
        self.HSTS_SECONDS = _int(env, "HSTS_SECONDS", self.DEFAULT_HSTS_SECONDS)
        self.TRUSTED_PROXIES = _int(env, "TRUSTED_PROXIES", 0)
        # Languages content is offered in (Accept-Language is matched against them).
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
        self.JWT_ALGORITHM = "HS256"
        self._cookie_settings(env)

        # Account e-mails: single-use tokens, stored hashed.
        self.MAIL_FROM = env.get("MAIL_FROM", "CISIP <no-reply@cisip.example>")
        self.MAIL_STARTTLS = _bool(env, "MAIL_STARTTLS", False)
        self.MAIL_TIMEOUT = float(env.get("MAIL_TIMEOUT", "10"))
        self.RESET_TOKEN_SECONDS = min(_int(env, "RESET_TOKEN_SECONDS", 15 * 60),
                                       MAX_RESET_TOKEN_SECONDS)
        self.VERIFY_TOKEN_SECONDS = _int(env, "VERIFY_TOKEN_SECONDS", 48 * 3600)
        self.INVITE_TOKEN_SECONDS = _int(env, "INVITE_TOKEN_SECONDS", 7 * 24 * 3600)
        # Every forgot-password answer takes at least this long, known email or not.
        self.FORGOT_MIN_SECONDS = float(env.get("FORGOT_MIN_SECONDS", "0.2"))
        self._rate_limit_settings(env)
        self._api_key_settings(env)

        self.PASSWORD_HASH_PROFILE = env.get("PASSWORD_HASH_PROFILE", "default")
        self._worker_settings(env)

        self.LANGUAGES = _list(env, "LANGUAGES") or ["en", "zh"]
        # How long the shared cache keeps a response; writes purge what they change sooner.
        self.RESPONSE_CACHE_SECONDS = _int(env, "RESPONSE_CACHE_SECONDS", 600)
        # How long each item's JSON is kept (lists never seen are built from it); writes purge
        # what they change sooner. 0 turns it off.
        self.ITEM_CACHE_SECONDS = _int(env, "ITEM_CACHE_SECONDS", 600)
        # With Redis, each process keeps copies of the entries it read, up to this size, so
        # that a hit needs no round trip; pub/sub keeps them exact. 0 turns them off.
        self.RESPONSE_CACHE_LOCAL_MB = _int(env, "RESPONSE_CACHE_LOCAL_MB", 32)
        # `X-Cache: HIT|MISS` on cached responses, for benchmarks and debugging only: it
        # would tell anyone whether a URL (a search term, say) was requested recently.
        self.CACHE_DEBUG_HEADERS = _bool(env, "CACHE_DEBUG_HEADERS", self.DEFAULT_CACHE_DEBUG)
        # Cache-Control per resource: (max-age, stale-while-revalidate) in seconds,
        # overridable as CACHE_MAX_AGE_<RESOURCE> and CACHE_STALE_<RESOURCE>.
        self.HTTP_CACHE = {
            name: (_int(env, f"CACHE_MAX_AGE_{name.upper()}", max_age),
                   _int(env, f"CACHE_STALE_{name.upper()}", stale))
            for name, (max_age, stale) in HTTP_CACHE_DEFAULTS.items()
        }

        # flask-smorest / OpenAPI
        self.API_TITLE = "CISIP API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.1.0"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "docs"
        self.OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
        self.OPENAPI_SWAGGER_UI_CONFIG = {"persistAuthorization": True}

    def _cookie_settings(self, env):
        """Tokens in httpOnly cookies (browser SPAs) besides Bearer headers."""
        self.JWT_TOKEN_LOCATION = ["headers"]
        if _bool(env, "JWT_COOKIES", True):
            self.JWT_TOKEN_LOCATION.append("cookies")
        self.JWT_COOKIE_SECURE = _bool(env, "JWT_COOKIE_SECURE", True)
        self.JWT_COOKIE_SAMESITE = env.get("JWT_COOKIE_SAMESITE", "Lax")
        self.JWT_COOKIE_DOMAIN = env.get("JWT_COOKIE_DOMAIN") or None
        self.JWT_COOKIE_CSRF_PROTECT = _bool(env, "JWT_COOKIE_CSRF_PROTECT", True)
        self.JWT_REFRESH_COOKIE_PATH = "/api/v1/auth/"
        # Readable by the frontend's pages (which are not under /api/v1/auth/), so that they
        # can echo it when refreshing; the refresh token itself goes to /api/v1/auth/ only.
        self.JWT_REFRESH_CSRF_COOKIE_PATH = "/"
        self.JWT_SESSION_COOKIE = False

    def _rate_limit_settings(self, env):
        """Flask-Limiter: Redis when there is one, else in-process; limits in its notation."""
        self.RATELIMIT_ENABLED = _bool(env, "RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_STRATEGY = "moving-window"
        for name, default in RATE_LIMITS.items():
            setattr(self, name, env.get(name, default))

    def _api_key_settings(self, env):
        """Partner keys: defaults of new keys, and how fresh each process keeps their state."""
        self.API_KEY_DEFAULT_RATE_LIMIT = env.get("API_KEY_DEFAULT_RATE_LIMIT", "600/minute")
        default_quota = env.get("API_KEY_DEFAULT_DAILY_QUOTA", "100000").strip()
        self.API_KEY_DEFAULT_DAILY_QUOTA = int(default_quota) if default_quota else None
        # A revoked key is refused everywhere within this (never more than a second).
        self.API_KEY_STATE_SECONDS = min(float(env.get("API_KEY_STATE_SECONDS", "0.5")),
                                         MAX_API_KEY_STATE_SECONDS)
        self.API_KEY_USAGE_FLUSH_SECONDS = float(env.get("API_KEY_USAGE_FLUSH_SECONDS", "10"))

    def _worker_settings(self, env):
        """The outbox worker, and where webhooks may be sent."""
        # Development serves and delivers from one process (`make run`); elsewhere
        # `flask --app wsgi worker` processes deliver.
        self.WORKER_IN_PROCESS = _bool(env, "WORKER_IN_PROCESS", self.DEFAULT_WORKER_IN_PROCESS)
        self.WORKER_THREADS = _int(env, "WORKER_THREADS", 4)
        self.WORKER_POLL_SECONDS = float(env.get("WORKER_POLL_SECONDS", "5"))
        self.WORKER_LEASE_SECONDS = float(env.get("WORKER_LEASE_SECONDS", "60"))
        self.WEBHOOK_ALLOW_HTTP = _bool(env, "WEBHOOK_ALLOW_HTTP", False)
        self.WEBHOOK_ALLOWED_HOSTS = _list(env, "WEBHOOK_ALLOWED_HOSTS")

    def check(self):
        """Refuse settings that would run the app unsafely."""
        if self.LOG_FORMAT not in {"text", "json"}:
            raise ConfigError(f"LOG_FORMAT must be text or json, not {self.LOG_FORMAT!r}.")
        try:
            window = limits.parse(self.API_KEY_DEFAULT_RATE_LIMIT).get_expiry()
        except ValueError:
            window = 0
        if not 0 < window <= 3600:
            raise ConfigError("API_KEY_DEFAULT_RATE_LIMIT must be a rate per second, minute or "
                              f"hour such as 600/minute, not {self.API_KEY_DEFAULT_RATE_LIMIT!r}.")
        if self.WORKER_LEASE_SECONDS < 1 or self.WORKER_POLL_SECONDS <= 0 or \
                self.WORKER_THREADS < 1:
            raise ConfigError("WORKER_LEASE_SECONDS must be at least 1, WORKER_POLL_SECONDS "
                              "above 0 and WORKER_THREADS at least 1.")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False
    DEFAULT_WORKER_IN_PROCESS = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    DEFAULT_CACHE_DEBUG = True  # the cache tests read X-Cache

    def __init__(self, env=None):
        super().__init__(env)
        self.PASSWORD_HASH_PROFILE = "fast"  # noqa: S105 (a profile name)
        # Most tests log in often from one address; rate-limit tests switch limits on.
        self.RATELIMIT_ENABLED = _bool(env, "RATELIMIT_ENABLED", False)
        self.FORGOT_MIN_SECONDS = float(env.get("FORGOT_MIN_SECONDS", "0"))


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEFAULT_LOG_FORMAT = "json"
    DEFAULT_HSTS_SECONDS = 2 * 365 * 24 * 3600

    def check(self):
        super().check()
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
