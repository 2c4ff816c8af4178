"""Outgoing HTTP to URLs that admins type in (webhook endpoints), without SSRF.

Only `https` (plus `http` with WEBHOOK_ALLOW_HTTP); the host is resolved and every address it
has must be public: private, loopback, link-local, multicast, reserved and unspecified ones
are refused, in IPv4, IPv6 and IPv4 carried inside IPv6 (mapped, 6to4, Teredo, NAT64). The
connection goes to an address that was checked (a second lookup could answer another one: DNS
rebinding), redirects are not followed, connecting and each read have timeouts within a total
budget, and at most a few KB of the answer are read. WEBHOOK_ALLOWED_HOSTS names hosts or
addresses exempt from the address check (development, tests).

Written on `http.client` because the one library for this, advocate, is unmaintained; the
pinning is one line (`_create_connection`), TLS still verifies the URL's host name.
"""

import http.client
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 4096
EXCERPT_CHARACTERS = 200
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedURL(ValueError):
    """The URL may not be called (its scheme, host or an address it resolves to)."""


@dataclass(frozen=True)
class Policy:
    allow_http: bool = False
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config):
        return cls(config["WEBHOOK_ALLOW_HTTP"],
                   frozenset(host.lower().strip("[]") for host in
                             config["WEBHOOK_ALLOWED_HOSTS"]))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str


def is_public(address):
    """True for an address on the public internet (a v4 address inside v6 judged as v4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is None and ip in NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return is_public(str(inner))
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_url(url, policy):
    """The target of `url` with the addresses it may be reached at; RefusedURL otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and policy.allow_http):
        raise RefusedURL("The URL must use https.")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("The URL must not carry credentials; the signature authenticates "
                         "each call.")
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise RefusedURL("The URL's port is not valid.") from error
    if not host:
        raise RefusedURL("The URL has no host.")
    addresses = _resolve(host, port)
    if host not in policy.allowed_hosts:
        for address in addresses:
            if address not in policy.allowed_hosts and not is_public(address):
                raise RefusedURL(f"{host} resolves to {address}, which is not a public "
                                 "address.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, addresses)


def _resolve(host, port):
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedURL(f"{host} does not resolve.") from error
    return tuple(dict.fromkeys(str(info[4][0]) for info in found))


def post(url, body, headers, policy):
    """POST `body` to `url` after checking it; answers the status and a short excerpt.

    Raises RefusedURL, OSError (connection, timeout) or http.client.HTTPException.
    """
    target = check_url(url, policy)
    deadline = time.monotonic() + TOTAL_TIMEOUT
    connection_class = (http.client.HTTPSConnection if target.scheme == "https"
                        else http.client.HTTPConnection)
    connection = connection_class(target.host, target.port, timeout=CONNECT_TIMEOUT)
    # Connect to the checked addresses only; TLS and the Host header keep the URL's name.
    connection._create_connection = (  # type: ignore[attr-defined]
        lambda _address, timeout, _source=None: _connect(target, timeout))
    try:
        connection.connect()
        sock = connection.sock  # the answer is read from it even once `connection` lets go
        _budget(sock, deadline)
        connection.request("POST", target.path, body=body, headers=headers)
        _budget(sock, deadline)
        response = connection.getresponse()
        _budget(sock, deadline)
        content = response.read(MAX_RESPONSE_BYTES)
        response.close()
    finally:
        connection.close()
    return Answer(response.status, excerpt(content))


def _connect(target, timeout):
    error: OSError = OSError(f"{target.host} has no address")
    for address in target.addresses:
        try:
            return socket.create_connection((address, target.port), timeout=timeout)
        except OSError as failed:
            error = failed
    raise error


def _budget(sock, deadline):
    """Let the next socket operations wait no longer than what is left of the total."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(f"no answer within {TOTAL_TIMEOUT:g} s")
    sock.settimeout(left)


def excerpt(content):
    """The start of an answer as printable text, for the delivery log."""
    text = content.decode("utf-8", errors="replace")[:EXCERPT_CHARACTERS]
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in text)
