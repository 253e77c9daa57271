"""The benchmark rule: 49 segments with conditions plus the fallback (50 in all).

Three things live here, side by side, so they can be read against each other:

* ``SEGMENTS``: the rule as Knock stores it (SPEC 4 condition trees), loaded from
  ``bench/rule50.json`` (one segment per line: its name and its tree), with every
  operator of the language, nested ``all``/``any``/``not`` groups and segments of
  one to five leaves, shaped like a real ops team's chat rule.
* ``TWIN_SEGMENTS`` and ``HAND_WRITTEN``: a representative ten of those segments
  plus the fallback, and the same eleven written by hand in plain Python
  (``bench/rule50_twins.py``), one
  function per segment, honouring the same semantics on contexts of the
  documented shape (SPEC 3): strings compare trimmed and case-insensitively,
  numbers are ints, a missing field makes a positive test false. This is the
  limit a condition engine can approach. The ten cover all 19 operators, ``any``
  and ``not`` groups, one to five leaves, list ``contains``, regexes and
  ``domain_in``, so the Knock / hand-written ratio measured on them stands for
  the whole rule (hand-writing the other 39 would only repeat the same shapes:
  ``conditions_bench`` runs Knock and the peers on the whole rule too).
* ``contexts(n)``: ``n`` reproducible routing contexts (seeded), shaped like
  ``routing.context.build_chat_context`` output plus the CRM and signals
  namespaces, with fields missing as they are in real traffic. About a fifth
  of them match no segment and land on the fallback.

Strings in the generated contexts are canonical (lower case, trimmed): the
peers (``rule-engine``, JsonLogic) have no case-insensitive comparison, so
canonical data lets them give the same answers with their plain ``==``/``in``,
while Knock and the hand-written code still pay for trimming and casefolding.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.rule50_twins import TWINS

# ----------------------------------------------------------------------------- data

COUNTRIES = ["us", "gb", "de", "fr", "ca", "au", "in", "br", "jp", "nl", "es", "se"]
INDUSTRIES = [
    "saas",
    "fintech",
    "healthcare",
    "retail",
    "manufacturing",
    "education",
    "media",
    "government",
    "logistics",
    "energy",
]
TECH = [
    "salesforce",
    "hubspot",
    "marketo",
    "segment",
    "snowflake",
    "aws",
    "gcp",
    "azure",
    "stripe",
    "shopify",
    "zendesk",
    "intercom",
    "slack",
    "okta",
    "datadog",
]
CHANNELS = [
    "linkedin ads",
    "g2",
    "google ads",
    "organic search",
    "direct",
    "event",
    "partner referral",
    "newsletter",
]
TITLES = [
    "vp sales",
    "cto",
    "head of growth",
    "software engineer",
    "student",
    "founder",
    "marketing manager",
    "procurement lead",
    "recruiter",
    "data scientist",
    "ceo",
    "revops manager",
    "chief security officer",
    "compliance officer",
    "analytics lead",
]
PAGES = [
    "https://knock.app/",
    "https://knock.app/pricing",
    "https://knock.app/enterprise",
    "https://knock.app/blog/routing-101",
    "https://knock.app/careers",
    "https://knock.app/partners",
    "https://knock.app/docs/api",
    "https://knock.app/support",
    "https://knock.app/security",
]
COMPANIES = [
    "acme.com",
    "globex.io",
    "initech.com",
    "umbrella.co.uk",
    "hooli.com",
    "stark.io",
    "wayne.com",
    "wonka.de",
    "tyrell.com",
    "cyberdyne.ai",
    "soylent.fr",
    "oscorp.com",
    "gringotts.co.uk",
    "vandelay.com",
    "duff.de",
    "nakatomi.jp",
    "pied-piper.io",
    "dunder.com",
    "prestige.com",
    "massive.ca",
]
PERSONAL = ["gmail.com", "yahoo.com", "outlook.com", "proton.me"]
STAGES = ["lead", "mql", "sql", "opportunity", "customer", "churned"]
FUNNEL = ["first_seen", "existing", "opportunity", "customer"]
INTENTS = ["buying", "partnership", "support", "job_seeker", "unknown"]
SCORES = ["high", "medium", "low"]
CAMPAIGNS = ["summit-2026", "summit-emea", "webinar-routing", "webinar-ai", "spring-promo", "brand"]


def contexts(n: int, seed: int = 7) -> list[dict]:
    """``n`` reproducible routing contexts."""
    rnd = random.Random(seed)
    return [_context(rnd, i) for i in range(n)]


def _maybe(rnd: random.Random, p: float, value):
    """``value`` with probability ``p``, else ``None`` (the field is dropped)."""
    return value if rnd.random() < p else None


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _context(rnd: random.Random, i: int) -> dict:
    personal = rnd.random() < 0.22
    company_domain = rnd.choice(COMPANIES)
    if rnd.random() < 0.15:
        company_domain = rnd.choice(["eu.", "mail.", "us."]) + company_domain
    domain = rnd.choice(PERSONAL) if personal else company_domain
    email = f"lead{i}@{domain}"
    country = rnd.choice(COUNTRIES)
    employees = int(10 ** rnd.uniform(0, 5.3))
    lead = {
        "email": email,
        "domain": domain,
        "is_personal_email": personal,
        "country": _maybe(rnd, 0.8, country),
        "title": _maybe(rnd, 0.75, rnd.choice(TITLES)),
    }
    company = {}
    if not personal or rnd.random() < 0.3:
        company = _drop_none(
            {
                "name": _maybe(rnd, 0.9, company_domain.split(".")[0]),
                "domain": company_domain,
                "industry": _maybe(rnd, 0.9, rnd.choice(INDUSTRIES)),
                "employees": _maybe(rnd, 0.85, employees),
                "revenue": _maybe(rnd, 0.6, employees * rnd.randint(50_000, 400_000)),
                "country": _maybe(
                    rnd, 0.9, country if rnd.random() < 0.8 else rnd.choice(COUNTRIES)
                ),
                "tech": _maybe(rnd, 0.8, rnd.sample(TECH, rnd.randint(0, 5))),
            }
        )
    session = _drop_none(
        {
            "device": rnd.choices(["desktop", "mobile", "tablet"], [0.7, 0.25, 0.05])[0],
            "country": _maybe(rnd, 0.9, country),
            "page_url": rnd.choice(PAGES),
            "pages_viewed": rnd.randint(1, 30),
            "time_on_site": rnd.randint(5, 3600),
            "is_returning": rnd.random() < 0.4,
        }
    )
    channel = rnd.choice(CHANNELS)
    attribution = {"source": channel.split()[0], "medium": "cpc", "channel": channel}
    if rnd.random() < 0.5:
        attribution["campaign"] = rnd.choice(CAMPAIGNS)
    intent = {
        "type": rnd.choices(INTENTS, [0.5, 0.06, 0.12, 0.05, 0.27])[0],
        "score": rnd.choices(SCORES, [0.35, 0.35, 0.3])[0],
    }
    ctx = {
        "lead": lead,
        "company": company,
        "session": session,
        "attribution": attribution,
        "intent": intent,
        "signals": _drop_none(
            {
                "funnel_stage": rnd.choices(FUNNEL, [0.5, 0.3, 0.1, 0.1])[0],
                "engagement_score": _maybe(rnd, 0.9, rnd.randint(0, 100)),
            }
        ),
        "custom": _drop_none(
            {"plan_interest": _maybe(rnd, 0.3, rnd.choice(["starter", "growth", "enterprise"]))}
        ),
    }
    if rnd.random() < 0.6:  # the CRM namespace is missing when no CRM answered
        exists = rnd.random() < 0.5
        crm = {"exists": exists, "system": "salesforce"}
        if exists:
            crm["lifecycle_stage"] = rnd.choice(STAGES)
            if rnd.random() < 0.7:
                crm["owner_email"] = rnd.choice(["dana@knock.app", "lee@partner.example"])
        ctx["crm"] = crm
    return ctx


# --------------------------------------------------------------------------- the rule

RULE_FILE = Path(__file__).with_name("rule50.json")

SEGMENTS: list[tuple[str, dict]] = [
    (s["name"], s["conditions"]) for s in json.loads(RULE_FILE.read_text())["segments"]
]

# The segments written by hand (``bench/rule50_twins.py``), in the rule's order.
TWIN_SEGMENTS: list[tuple[str, dict]] = [(n, t) for n, t in SEGMENTS if n in TWINS]
HAND_WRITTEN = [TWINS[n] for n, _ in TWIN_SEGMENTS]

assert len(SEGMENTS) == 50 and SEGMENTS[-1] == ("Fallback", {"all": []})
assert [n for n, _ in TWIN_SEGMENTS] == list(TWINS)  # every twin names a segment, in order
