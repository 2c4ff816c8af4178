"""Web origins (RFC 6454): writing them one way, and matching a request's origin against a
key's allowed origins, exactly or by a `*.` subdomain wildcard."""

import functools
import ipaddress
import re
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_origin(text, *, wildcard=False):
    """`scheme://host[:port]` in the form browsers send: lower case, IDNA host, no default
    port. With `wildcard`, the host may start with `*.` (any subdomain of the rest, which
    needs at least two labels). Raises ValueError with a message for anything else."""
    parts = urlsplit(text.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("Use an http:// or https:// origin.")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query \
            or parts.fragment or "#" in text or "?" in text:
        raise ValueError("An origin is a scheme, a host and a port: no path, query or user.")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError("The port is not valid.") from error
    host = _host(parts.hostname or "", wildcard)
    suffix = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{suffix}"


def _host(host, wildcard):
    stars = host.startswith("*.") and wildcard
    name = host[2:] if stars else host
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        if stars:
            raise ValueError("A wildcard needs a domain name, not an address.")
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        name = name.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise ValueError("The host is not a valid domain name.") from error
    labels = name.split(".")
    if not all(LABEL.match(label) for label in labels):
        raise ValueError("The host is not a valid domain name.")
    if stars and len(labels) < 2:
        raise ValueError("A wildcard needs a domain of at least two labels: *.example.org.")
    return f"*.{name}" if stars else name


def origin_of_url(url):
    """The origin of a URL (a `Referer`), or None when it has none."""
    try:
        parts = urlsplit(url)
        return normalise_origin(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}")
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def origin_allowed(origin, allowed):
    """True when `origin` (as sent) is one of `allowed` (a tuple of normalised origins), or
    a subdomain, at any depth, of a `scheme://*.domain[:port]` entry. Lookalikes such as
    `https://evilpartner.example` or `https://partner.example.evil.test` never match."""
    if origin in allowed:
        return True
    try:
        origin = normalise_origin(origin)
    except ValueError:
        return False
    if origin in allowed:
        return True
    scheme, _, rest = origin.partition("://")
    host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
    for entry in allowed:
        entry_scheme, _, entry_rest = entry.partition("://")
        if entry_scheme != scheme or not entry_rest.startswith("*."):
            continue
        domain, _, entry_port = entry_rest[2:].partition(":")
        if entry_port == port and host.endswith("." + domain):
            return True
    return False
