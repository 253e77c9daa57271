"""Domain normalisation and parent-domain candidates (pure)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from routing.enrichment import is_personal_domain

DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$"
)


def normalize(value: str | None) -> str:
    """ "https://www.Acme.com/about" -> "acme.com"; "" when there is no host."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    try:
        host = urlsplit(value if "//" in value else "//" + value).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.").rstrip(".")


def is_valid(domain: str) -> bool:
    return bool(DOMAIN_RE.match(domain or ""))


def candidates(domain: str) -> list[str]:
    """The domain and its parents, longest first, never a bare TLD:
    eu.sales.acme.com -> [eu.sales.acme.com, sales.acme.com, acme.com]."""
    labels = [part for part in (domain or "").lower().split(".") if part]
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_personal(domain: str) -> bool:
    """A mailbox provider (gmail.com, mail.yahoo.com): its users are no company."""
    return any(is_personal_domain(c) for c in candidates(domain)) or is_personal_domain(domain)
