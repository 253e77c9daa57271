"""Domain normalisation and parent-domain candidates (pure)."""

from __future__ import annotations

from routing.enrichment import is_domain, is_personal_domain, url_host

#: "https://www.Acme.com/about" -> "acme.com"; "" when there is no host (routing's helper).
normalize = url_host
#: A normalised domain such as "acme.com" (routing's check, shared with crm's import).
is_valid = is_domain


def candidates(domain: str) -> list[str]:
    """The domain and its parents, longest first, never a bare TLD:
    eu.sales.acme.com -> [eu.sales.acme.com, sales.acme.com, acme.com]."""
    labels = [part for part in (domain or "").lower().split(".") if part]
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_personal(domain: str) -> bool:
    """A mailbox provider (gmail.com, mail.yahoo.com): its users are no company."""
    return any(is_personal_domain(c) for c in candidates(domain)) or is_personal_domain(domain)
