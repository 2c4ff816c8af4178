"""Settings from the environment, and production's refusal of unsafe ones."""

import pytest

from api import create_app
from config import ConfigError, load_config

STRONG = "x" * 40


def test_development_defaults_to_sqlite_and_no_redis():
    config = load_config("development", env={})
    assert config.DATABASE_URL.startswith("sqlite:///")
    assert config.DATABASE_URL.endswith("instance/cisip.db")
    assert config.REDIS_URL is None
    assert config.MAIL_URL.startswith("file://")


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_use_psycopg3(url):
    config = load_config("development", env={"DATABASE_URL": url})
    assert config.DATABASE_URL == "postgresql+psycopg://u@h/db"


def test_cors_origins_are_a_comma_separated_list():
    config = load_config("development", env={"CORS_ORIGINS": "https://a.org, https://b.org"})
    assert config.CORS_ORIGINS == ["https://a.org", "https://b.org"]


@pytest.mark.parametrize("env", [
    {},
    {"SECRET_KEY": STRONG},
    {"JWT_SECRET_KEY": STRONG},
    {"SECRET_KEY": STRONG, "JWT_SECRET_KEY": "short"},
    {"SECRET_KEY": "dev-secret-key-change-me-0123456789abcdef", "JWT_SECRET_KEY": STRONG},
])
def test_production_refuses_missing_or_default_secrets(env):
    with pytest.raises(ConfigError):
        load_config("production", env=env)


def test_production_starts_with_strong_secrets(tmp_path):
    config = load_config("production", env={"SECRET_KEY": STRONG, "JWT_SECRET_KEY": STRONG + "y",
                                            "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    app = create_app(config)
    assert not app.debug and not app.testing


def test_unknown_app_env_is_refused():
    with pytest.raises(ConfigError):
        load_config(None, env={"APP_ENV": "staging"})


def test_partner_key_settings():
    config = load_config("development", env={"API_KEY_STATE_SECONDS": "5",
                                             "API_KEY_DEFAULT_DAILY_QUOTA": ""})
    assert config.API_KEY_STATE_SECONDS == 1.0  # a revoked key never works past a second
    assert config.API_KEY_DEFAULT_DAILY_QUOTA is None
    for rate in ("often", "100/day"):
        with pytest.raises(ConfigError):
            load_config("development", env={"API_KEY_DEFAULT_RATE_LIMIT": rate})
