"""The websocket origin check: scheme, host and port, like Django's CSRF Origin check.

The session cookie goes with a websocket handshake whatever page opened it, so
the Origin header is what keeps another site's page from reading a user's feed.
channels' AllowedHostsOriginValidator compares the host only (any scheme or port
of an allowed host passes). Here an origin is allowed when it is:

- in CSRF_TRUSTED_ORIGINS (scheme://host[:port], `https://*.example.com` for
  subdomains, as Django reads that setting), or
- the socket's own origin: its host:port is the request's Host (X-Forwarded-Host
  with USE_X_FORWARDED_HOST), that host is in ALLOWED_HOSTS, and its scheme is
  the socket's (https for wss, or when SECURE_PROXY_SSL_HEADER says so).

Anything else, and a handshake without Origin, is accepted and then closed with
4403, so that a client can read why (a refusal at the handshake is an HTTP 403
that browsers do not expose to the page).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]  # scheme, host (lower case), port


def parse_origin(value: str) -> Origin | None:
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:  # a port that is not a number or out of range
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _trusted(origin: Origin) -> bool:
    scheme, host, port = origin
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in entry
        trusted = parse_origin(entry.replace("://*.", "://", 1) if wildcard else entry)
        if trusted is None or trusted[0] != scheme or trusted[2] != port:
            continue
        if host == trusted[1] or (wildcard and is_same_domain(host, "." + trusted[1])):
            return True
    return False


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin1").lower(): v.decode("latin1") for k, v in scope.get("headers", [])}


def _own_origin(scope, headers: dict[str, str]) -> Origin | None:
    """scheme, host and port of the page this socket's server serves, or None."""
    host = headers.get("host", "")
    if getattr(settings, "USE_X_FORWARDED_HOST", False) and headers.get("x-forwarded-host"):
        host = headers["x-forwarded-host"].split(",")[0].strip()
    domain, port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    secure = scope.get("scheme") == "wss"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name, value = proxy
        header = name.removeprefix("HTTP_").replace("_", "-").lower()
        if header in headers:
            secure = headers[header].split(",")[0].strip() == value
    scheme = "https" if secure else "http"
    try:
        number = int(port) if port else DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    return scheme, domain.strip("[]").lower(), number


def origin_allowed(scope) -> bool:
    headers = _headers(scope)
    origin = parse_origin(headers.get("origin", ""))
    if origin is None:
        return False
    return _trusted(origin) or origin == _own_origin(scope, headers)


class OriginRefused(AsyncWebsocketConsumer):
    async def connect(self):
        headers = _headers(self.scope)
        logger.warning(
            "feed: refused origin %r (host %r) from %s",
            headers.get("origin"),
            headers.get("host"),
            (self.scope.get("client") or ["?"])[0],
        )
        await self.accept()
        await self.close(code=CLOSE_FORBIDDEN)


class OriginValidator:
    """ASGI middleware: websockets whose Origin is not allowed never reach `application`."""

    def __init__(self, application):
        self.application = application
        self.refuse = OriginRefused.as_asgi()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await self.refuse(scope, receive, send)
        return await self.application(scope, receive, send)
