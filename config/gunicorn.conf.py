"""Gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

Read from the environment: HOST, PORT, WEB_CONCURRENCY (workers; default 2 * CPUs + 1),
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_KEEPALIVE, and the
app's own settings (LOG_FORMAT, LOG_LEVEL, APP_ENV) through `config.load_config`.
"""

import multiprocessing
import os

from api.logs import GunicornJsonLogger
from config import load_config

_settings = load_config()  # also refuses unsafe production settings before any worker starts

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# gthread, whose own error answers (malformed requests, request line and header limits)
# are problem+json like the app's: api/gunicorn_worker.py.
worker_class = "api.gunicorn_worker.ProblemThreadWorker"
# A worker silent for this long is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM, requests in flight get this long to finish before workers are killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then, staggered, so a slow leak never takes the service down.
max_requests = 2000
max_requests_jitter = 200
# The app builds its database pools and Redis clients per process: do not preload.
preload_app = False
# gunicornc's control socket sits at one path per user ($HOME/.gunicorn): two servers on a host
# (or a read-only home in a container) would collide. Orchestrators use signals instead.
control_socket_disable = True
# Trust X-Forwarded-* only from the load balancer in front (a private network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = _settings.LOG_LEVEL.lower()
if _settings.LOG_FORMAT == "json":
    logger_class = GunicornJsonLogger
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms [%({x-request-id}o)s]'
