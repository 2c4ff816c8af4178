"""redis-py clients from `REDIS_URL`: a plain server, or the master that Redis Sentinel names."""

from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

# The scheme the `limits` library (Flask-Limiter's storage) reads the same way.
SENTINEL_SCHEME = "redis+sentinel"


def redis_client(url, **options):
    """A client for `url`: `redis://`, `rediss://` and `unix://` as redis-py reads them, or
    `redis+sentinel://[:password@]host:port[,host:port…]/service_name[/db]`, whose
    connections go to the service's current master and follow it through a failover."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        return redis.Redis.from_url(url, **options)
    service, _, db = parts.path.strip("/").partition("/")
    if not service:
        raise ValueError("A redis+sentinel:// URL names the service: …/service_name[/db].")
    hosts = [_host_and_port(item) for item in parts.netloc.rpartition("@")[2].split(",")]
    # Like from_url, and unlike Redis(host=…), no retries with backoff: the caller degrades.
    options = {"retry": Retry(NoBackoff(), 0)} | options
    timeouts = {key: options[key] for key in ("socket_timeout", "socket_connect_timeout")
                if key in options}
    sentinel = Sentinel(hosts, sentinel_kwargs=timeouts | {"retry": options["retry"]})
    password = unquote(parts.password) if parts.password else None
    return sentinel.master_for(service, db=int(db or 0), password=password, **options)


def _host_and_port(item):
    host, _, port = item.rpartition(":")
    return (host, int(port)) if host else (port, 26379)
