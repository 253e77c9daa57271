"""Domain facts derivable from an email or a URL without any lookup (pure)."""

import re
from urllib.parse import urlsplit

PERSONAL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr hotmail.com hotmail.co.uk
    hotmail.fr outlook.com live.com msn.com aol.com icloud.com me.com mac.com proton.me
    protonmail.com gmx.com gmx.de gmx.net web.de mail.com yandex.com yandex.ru zoho.com
    fastmail.com hey.com tutanota.com qq.com 163.com 126.com naver.com orange.fr free.fr
    laposte.net libero.it t-online.de comcast.net verizon.net att.net sbcglobal.net""".split()
)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def is_personal_domain(domain: str) -> bool:
    return domain.lower() in PERSONAL_DOMAINS


#: A host name of two labels or more (a-z, 0-9, inner hyphens), lower case, 253 at most.
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$"
)


def is_domain(domain: str | None) -> bool:
    """A normalised domain ("acme.com", "eu.acme.co.uk"); the one check of the CSV
    imports (crm's domain column, enrichment's company table) and the look-up box."""
    return bool(DOMAIN_RE.match(domain or ""))


def url_host(url: str | None) -> str:
    """The host a URL (or a bare host) names, as a domain: "https://www.Acme.com./about"
    -> "acme.com"; "" when there is none or it cannot be parsed.

    The one URL-host helper: the referrer's domain (``routing.context``) and a CRM
    account's website (``crm.backends.base.website_host``) are both read with it.
    """
    url = (url or "").strip().lower()
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:  # e.g. "http://[::1": an unparseable URL has no host
        return ""
    return host.removeprefix("www.").rstrip(".")
