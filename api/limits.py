"""Rate limits on the account endpoints (Flask-Limiter), per IP address and per email.

Counters live in Redis (REDIS_URL) or in process memory. When Redis fails, the same limits
go on in memory (per process) instead of failing open or closed: never a lockout because
the store is down. Per account, login counts failed attempts only, so an attacker cannot
lock a member out; they throttle themselves.
"""

import hashlib
from collections.abc import Callable

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

TOO_MANY = "Too many attempts; wait before trying again (see Retry-After)."


def email_key():
    """The email of the request body (hashed: no addresses in Redis), so limits follow the
    account, not the client's address."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return "email:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def failed(response):
    return response.status_code in (401, 403)


# Endpoint: (setting with the limits, key function, count only responses matching).
LIMITS: dict[str, list[tuple[str, Callable[[], str], Callable | None]]] = {
    "auth.Login": [("RATELIMIT_LOGIN_IP", get_remote_address, None),
                   ("RATELIMIT_LOGIN_ACCOUNT", email_key, failed)],
    "auth.Register": [("RATELIMIT_REGISTER_IP", get_remote_address, None),
                      ("RATELIMIT_REGISTER_ACCOUNT", email_key, None)],
    "auth.PasswordForgot": [("RATELIMIT_FORGOT_IP", get_remote_address, None),
                            ("RATELIMIT_FORGOT_ACCOUNT", email_key, None)],
    "auth.PasswordReset": [("RATELIMIT_RESET_IP", get_remote_address, None)],
}


def init_limiter(app):
    """Bind a limiter to `app` and wrap the limited views (after blueprints are registered)."""
    storage_options = {}
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        timeout = app.config["REDIS_SOCKET_TIMEOUT"]
        storage_options = {"key_prefix": app.config["CACHE_KEY_PREFIX"] + "limits",
                           "socket_timeout": timeout, "socket_connect_timeout": timeout}
    limiter = Limiter(get_remote_address, app=app, in_memory_fallback_enabled=True,
                      storage_options=storage_options)
    for endpoint, rules in LIMITS.items():
        view = app.view_functions[endpoint]
        for setting, key_func, deduct_when in rules:
            view = limiter.limit(app.config[setting], key_func=key_func,
                                 deduct_when=deduct_when, error_message=TOO_MANY)(view)
        app.view_functions[endpoint] = view
    app.extensions["rate_limiter"] = limiter

