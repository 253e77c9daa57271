"""The benchmark rule: 49 segments with conditions plus the fallback (50 in all).

Three things live here, side by side, so they can be read against each other:

* ``SEGMENTS``: the rule as Knock stores it (SPEC 4 condition trees), with
  every operator of the language, nested ``all``/``any``/``not`` groups and
  segments of one to five leaves, shaped like a real ops team's chat rule.
* ``HAND_WRITTEN``: the same rule written by hand in plain Python, one
  function per segment, honouring the same semantics on contexts of the
  documented shape (SPEC 3): strings compare trimmed and case-insensitively,
  numbers are ints, a missing field makes a positive test false. This is the
  limit a condition engine can approach.
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

import random
import re

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


def _f(field: str, op: str, value=None) -> dict:
    leaf = {"field": field, "op": op}
    if value is not None:
        leaf["value"] = value
    return leaf


def all_(*children) -> dict:
    return {"all": list(children)}


def any_(*children) -> dict:
    return {"any": list(children)}


def not_(child) -> dict:
    return {"not": child}


EMEA = ["gb", "de", "fr", "nl", "es", "se"]

SEGMENTS: list[tuple[str, dict]] = [
    ("Customers needing support", all_(
        _f("signals.funnel_stage", "eq", "customer"),
        any_(_f("intent.type", "eq", "support"), _f("session.page_url", "contains", "/support")),
    )),
    ("Job seekers", any_(
        _f("intent.type", "eq", "job_seeker"),
        all_(
            _f("session.page_url", "ends_with", "/careers"),
            not_(_f("lead.title", "in", ["vp sales", "cto", "ceo", "founder"])),
            _f("session.pages_viewed", "lte", 3),
        ),
    )),
    ("Partnerships", all_(
        _f("intent.type", "eq", "partnership"), _f("lead.is_personal_email", "is_false"),
    )),
    ("Strategic accounts", all_(
        _f("lead.email", "domain_in", ["acme.com", "globex.io", "initech.com"]),
        _f("intent.score", "in", ["high", "medium"]),
        _f("company.employees", "gte", 1000),
    )),
    ("CRM opportunities", all_(
        _f("crm.exists", "is_true"),
        _f("crm.lifecycle_stage", "eq", "opportunity"),
        _f("crm.owner_email", "ends_with", "@knock.app"),
    )),
    ("Enterprise US", all_(
        _f("company.employees", "gte", 2000),
        _f("company.country", "eq", "us"),
        _f("intent.score", "neq", "low"),
    )),
    ("Enterprise EMEA", all_(
        _f("company.employees", "gte", 2000),
        _f("company.country", "in", EMEA),
        not_(_f("intent.type", "in", ["support", "job_seeker"])),
        _f("intent.score", "neq", "low"),
    )),
    ("Enterprise APAC", all_(
        _f("company.employees", "gte", 10000),
        _f("company.country", "in", ["au", "in", "jp"]),
        _f("intent.type", "eq", "buying"),
    )),
    ("Fintech mid-market", all_(
        _f("company.industry", "eq", "fintech"),
        _f("company.employees", "between", [200, 4999]),
        any_(
            _f("attribution.channel", "in", ["linkedin ads", "g2"]),
            _f("intent.score", "eq", "high"),
        ),
    )),
    ("Healthcare compliance", all_(
        _f("company.industry", "eq", "healthcare"),
        any_(
            _f("session.page_url", "contains", "/security"),
            _f("lead.title", "matches", "(compliance|security|ciso)"),
        ),
    )),
    ("Salesforce shops, mid-market", all_(
        _f("company.tech", "contains", "salesforce"),
        _f("company.employees", "between", [500, 4999]),
        _f("company.revenue", "gt", 100_000_000),
    )),
    ("HubSpot SMB buyers", all_(
        _f("company.tech", "contains", "hubspot"),
        _f("company.employees", "lt", 200),
        _f("company.tech", "not_contains", "salesforce"),
        _f("intent.type", "eq", "buying"),
        _f("intent.score", "eq", "high"),
    )),
    ("G2, highly engaged", all_(
        _f("attribution.channel", "eq", "g2"),
        _f("signals.engagement_score", "gte", 85),
        _f("intent.type", "neq", "support"),
    )),
    ("LinkedIn Ads on pricing", all_(
        _f("attribution.channel", "eq", "linkedin ads"),
        any_(_f("session.page_url", "ends_with", "/pricing"), _f("session.pages_viewed", "gt", 15)),
    )),
    ("Summit leads", all_(
        _f("attribution.channel", "eq", "event"),
        _f("attribution.campaign", "starts_with", "summit-"),
        _f("intent.score", "neq", "low"),
    )),
    ("Returning to enterprise page", all_(
        _f("session.is_returning", "is_true"),
        _f("session.page_url", "contains", "/enterprise"),
        _f("session.time_on_site", "gt", 1200),
    )),
    ("Startups", all_(
        _f("company.employees", "between", [1, 20]),
        _f("custom.plan_interest", "in", ["starter", "growth"]),
    )),
    ("Government, North America", all_(
        _f("company.industry", "eq", "government"), _f("lead.country", "in", ["us", "ca"]),
    )),
    ("Students", all_(
        _f("lead.title", "eq", "student"), _f("lead.is_personal_email", "is_true"),
    )),
    ("Personal email, very engaged", all_(
        _f("lead.is_personal_email", "is_true"),
        _f("intent.score", "eq", "high"),
        _f("session.pages_viewed", "gte", 15),
    )),
    ("Churned customers", all_(
        _f("crm.lifecycle_stage", "eq", "churned"), _f("crm.exists", "is_true"),
    )),
    ("Owned MQLs and SQLs", all_(
        _f("crm.lifecycle_stage", "in", ["mql", "sql"]),
        _f("crm.owner_email", "exists"),
        not_(_f("crm.owner_email", "domain_in", ["partner.example"])),
        _f("intent.type", "not_in", ["job_seeker", "support"]),
    )),
    ("Snowflake data teams", all_(
        _f("company.tech", "contains", "snowflake"),
        _f("lead.title", "matches", "data|analytics"),
    )),
    ("Retail commerce", all_(
        _f("company.industry", "eq", "retail"),
        any_(_f("company.tech", "contains", "shopify"), _f("company.tech", "contains", "stripe")),
        _f("company.employees", "gte", 500),
    )),
    ("Manufacturing, Germany", all_(
        _f("company.industry", "eq", "manufacturing"),
        _f("company.domain", "ends_with", ".de"),
        _f("company.employees", "gte", 100),
    )),
    ("Mobile drive-bys", all_(
        _f("session.device", "eq", "mobile"),
        _f("session.time_on_site", "lt", 900),
        _f("intent.score", "eq", "low"),
    )),
    ("Webinar attendees", all_(
        _f("attribution.channel", "eq", "newsletter"),
        any_(
            _f("attribution.campaign", "contains", "webinar"),
            _f("signals.engagement_score", "gte", 60),
        ),
    )),
    ("Partner referrals", all_(
        _f("attribution.channel", "eq", "partner referral"),
        not_(any_(_f("intent.type", "eq", "support"), _f("intent.score", "eq", "low"))),
        _f("signals.engagement_score", "gte", 20),
    )),
    ("Engineers in the docs", all_(
        _f("session.page_url", "contains", "/docs"),
        _f("lead.title", "in", ["software engineer", "cto", "data scientist"]),
    )),
    ("Big revenue, headcount unknown", all_(
        _f("company.employees", "not_exists"), _f("company.revenue", "gte", 50_000_000),
    )),
    ("Unknown company, engaged", all_(
        _f("company.name", "not_exists"),
        _f("signals.engagement_score", "between", [80, 100]),
        _f("lead.is_personal_email", "is_false"),
    )),
    ("Google Ads", all_(
        _f("attribution.channel", "eq", "google ads"),
        _f("intent.type", "in", ["buying", "unknown"]),
        _f("intent.score", "neq", "low"),
    )),
    ("Japan", all_(
        any_(_f("company.country", "eq", "jp"), _f("session.country", "eq", "jp")),
        _f("intent.type", "neq", "job_seeker"),
        _f("signals.engagement_score", "gte", 40),
    )),
    ("Support-tool switchers", all_(
        _f("company.industry", "eq", "media"),
        any_(_f("company.tech", "contains", "intercom"), _f("company.tech", "contains", "zendesk")),
    )),
    ("Okta security leaders", all_(
        _f("company.tech", "contains", "okta"),
        _f("company.employees", "gte", 200),
        _f("lead.title", "matches", "^(vp|head|chief)"),
    )),
    ("Energy and logistics", all_(
        _f("company.industry", "in", ["energy", "logistics"]),
        _f("company.revenue", "between", [10_000_000, 1_000_000_000]),
        _f("intent.type", "eq", "buying"),
    )),
    ("Education", all_(
        _f("company.industry", "eq", "education"),
        _f("session.device", "neq", "mobile"),
        _f("intent.score", "neq", "low"),
    )),
    ("Founders of small teams", all_(
        _f("lead.title", "eq", "founder"), _f("company.employees", "lte", 50),
    )),
    ("Recruiters", all_(
        _f("lead.title", "eq", "recruiter"), _f("session.page_url", "not_contains", "/pricing"),
    )),
    ("Canada mid-market", all_(
        _f("company.country", "eq", "ca"),
        _f("company.employees", "between", [100, 999]),
        _f("intent.type", "eq", "buying"),
    )),
    ("UK SaaS and fintech", all_(
        _f("company.domain", "domain_in", ["co.uk"]),
        _f("company.industry", "in", ["saas", "fintech"]),
    )),
    ("Open opportunities outside the CRM", all_(
        _f("signals.funnel_stage", "eq", "opportunity"),
        not_(_f("crm.exists", "is_true")),
        _f("intent.score", "eq", "high"),
    )),
    ("Top engagement", all_(
        _f("signals.engagement_score", "gte", 97),
        _f("intent.type", "neq", "job_seeker"),
    )),
    ("Organic, long visit", all_(
        _f("attribution.channel", "eq", "organic search"),
        _f("session.time_on_site", "gte", 1800),
        _f("session.pages_viewed", "gte", 8),
    )),
    ("Direct, returning, business email", all_(
        _f("attribution.channel", "eq", "direct"),
        _f("session.is_returning", "is_true"),
        _f("lead.is_personal_email", "is_false"),
        _f("company.employees", "gt", 200),
    )),
    ("Mid-market buyers", all_(
        _f("intent.type", "eq", "buying"),
        _f("company.employees", "between", [50, 1999]),
        _f("intent.score", "neq", "low"),
    )),
    ("Enterprise plan interest", all_(
        _f("custom.plan_interest", "eq", "enterprise"),
        _f("company.employees", "gte", 1000),
        not_(_f("company.industry", "in", ["government", "education"])),
    )),
    ("Cloud-heavy engineering leads", all_(
        _f("lead.title", "in", ["cto", "software engineer", "head of growth"]),
        any_(_f("company.tech", "contains", "aws"), _f("company.tech", "contains", "datadog")),
    )),
    ("Buying, high score, desktop", all_(
        _f("intent.type", "eq", "buying"),
        _f("intent.score", "eq", "high"),
        _f("session.device", "eq", "desktop"),
        _f("company.employees", "gte", 500),
        _f("session.pages_viewed", "gte", 10),
    )),
    ("Fallback", {"all": []}),
]  # fmt: skip


# ------------------------------------------------------------------ the same, by hand
#
# One function per segment, in the same order, written for speed: each field
# is read once, strings are trimmed and casefolded inline (as the language's
# contract says), and the tests are ordered as in the tree. Contexts built by
# Knock always hold the lead, company, session, attribution, intent, signals
# and custom namespaces (possibly empty); crm may be absent.


def _under(text, domains: frozenset) -> bool:
    """``domain_in``: the text after the last @ is one of, or under one of, ``domains``."""
    if text is None:
        return False
    d = text[text.rfind("@") + 1 :].strip().casefold().rstrip(".")
    if d in domains:
        return True
    i = d.find(".")
    while i != -1:
        if d[i + 1 :] in domains:
            return True
        i = d.find(".", i + 1)
    return False


def _has(items, value: str) -> bool:
    """``contains`` on a list of strings."""
    if items is None:
        return False
    for e in items:  # noqa: SIM110 - a plain loop: no generator per call
        if e.strip().casefold() == value:
            return True
    return False


_STRATEGIC = frozenset({"acme.com", "globex.io", "initech.com"})
_PARTNER = frozenset({"partner.example"})
_CO_UK = frozenset({"co.uk"})
_RX_COMPLIANCE = re.compile("(compliance|security|ciso)", re.IGNORECASE)
_RX_DATA = re.compile("data|analytics", re.IGNORECASE)
_RX_LEADER = re.compile("^(vp|head|chief)", re.IGNORECASE)


def h01(c):
    v = c["signals"].get("funnel_stage")
    if v is None or v.strip().casefold() != "customer":
        return False
    v = c["intent"].get("type")
    if v is not None and v.strip().casefold() == "support":
        return True
    v = c["session"].get("page_url")
    return v is not None and "/support" in v.strip().casefold()


def h02(c):
    v = c["intent"].get("type")
    if v is not None and v.strip().casefold() == "job_seeker":
        return True
    s = c["session"]
    v = s.get("page_url")
    if v is None or not v.strip().casefold().endswith("/careers"):
        return False
    v = c["lead"].get("title")
    if v is not None and v.strip().casefold() in {"vp sales", "cto", "ceo", "founder"}:
        return False
    v = s.get("pages_viewed")
    return v is not None and v <= 3


def h03(c):
    v = c["intent"].get("type")
    if v is None or v.strip().casefold() != "partnership":
        return False
    return c["lead"].get("is_personal_email") is False


def h04(c):
    if not _under(c["lead"].get("email"), _STRATEGIC):
        return False
    v = c["intent"].get("score")
    if v is None or v.strip().casefold() not in {"high", "medium"}:
        return False
    v = c["company"].get("employees")
    return v is not None and v >= 1000


def h05(c):
    crm = c.get("crm")
    if crm is None or crm.get("exists") is not True:
        return False
    v = crm.get("lifecycle_stage")
    if v is None or v.strip().casefold() != "opportunity":
        return False
    v = crm.get("owner_email")
    return v is not None and v.strip().casefold().endswith("@knock.app")


def h06(c):
    co = c["company"]
    v = co.get("employees")
    if v is None or v < 2000:
        return False
    v = co.get("country")
    if v is None or v.strip().casefold() != "us":
        return False
    v = c["intent"].get("score")
    return v is None or v.strip().casefold() != "low"


def h07(c):
    co = c["company"]
    v = co.get("employees")
    if v is None or v < 2000:
        return False
    v = co.get("country")
    if v is None or v.strip().casefold() not in {"gb", "de", "fr", "nl", "es", "se"}:
        return False
    i = c["intent"]
    v = i.get("type")
    if v is not None and v.strip().casefold() in {"support", "job_seeker"}:
        return False
    v = i.get("score")
    return v is None or v.strip().casefold() != "low"


def h08(c):
    co = c["company"]
    v = co.get("employees")
    if v is None or v < 10000:
        return False
    v = co.get("country")
    if v is None or v.strip().casefold() not in {"au", "in", "jp"}:
        return False
    v = c["intent"].get("type")
    return v is not None and v.strip().casefold() == "buying"


def h09(c):
    co = c["company"]
    v = co.get("industry")
    if v is None or v.strip().casefold() != "fintech":
        return False
    v = co.get("employees")
    if v is None or not 200 <= v <= 4999:
        return False
    v = c["attribution"].get("channel")
    if v is not None and v.strip().casefold() in {"linkedin ads", "g2"}:
        return True
    v = c["intent"].get("score")
    return v is not None and v.strip().casefold() == "high"


def h10(c):
    v = c["company"].get("industry")
    if v is None or v.strip().casefold() != "healthcare":
        return False
    v = c["session"].get("page_url")
    if v is not None and "/security" in v.strip().casefold():
        return True
    v = c["lead"].get("title")
    return v is not None and _RX_COMPLIANCE.search(v.strip()) is not None


def h11(c):
    co = c["company"]
    if not _has(co.get("tech"), "salesforce"):
        return False
    v = co.get("employees")
    if v is None or not 500 <= v <= 4999:
        return False
    v = co.get("revenue")
    return v is not None and v > 100_000_000


def h12(c):
    co = c["company"]
    tech = co.get("tech")
    if not _has(tech, "hubspot"):
        return False
    v = co.get("employees")
    if v is None or v >= 200 or _has(tech, "salesforce"):
        return False
    i = c["intent"]
    v = i.get("type")
    if v is None or v.strip().casefold() != "buying":
        return False
    v = i.get("score")
    return v is not None and v.strip().casefold() == "high"


def h13(c):
    v = c["attribution"].get("channel")
    if v is None or v.strip().casefold() != "g2":
        return False
    v = c["signals"].get("engagement_score")
    if v is None or v < 85:
        return False
    v = c["intent"].get("type")
    return v is None or v.strip().casefold() != "support"


def h14(c):
    v = c["attribution"].get("channel")
    if v is None or v.strip().casefold() != "linkedin ads":
        return False
    s = c["session"]
    v = s.get("page_url")
    if v is not None and v.strip().casefold().endswith("/pricing"):
        return True
    v = s.get("pages_viewed")
    return v is not None and v > 15


def h15(c):
    a = c["attribution"]
    v = a.get("channel")
    if v is None or v.strip().casefold() != "event":
        return False
    v = a.get("campaign")
    if v is None or not v.strip().casefold().startswith("summit-"):
        return False
    v = c["intent"].get("score")
    return v is None or v.strip().casefold() != "low"


def h16(c):
    s = c["session"]
    if s.get("is_returning") is not True:
        return False
    v = s.get("page_url")
    if v is None or "/enterprise" not in v.strip().casefold():
        return False
    v = s.get("time_on_site")
    return v is not None and v > 1200


def h17(c):
    v = c["company"].get("employees")
    if v is None or not 1 <= v <= 20:
        return False
    v = c["custom"].get("plan_interest")
    return v is not None and v.strip().casefold() in {"starter", "growth"}


def h18(c):
    v = c["company"].get("industry")
    if v is None or v.strip().casefold() != "government":
        return False
    v = c["lead"].get("country")
    return v is not None and v.strip().casefold() in {"us", "ca"}


def h19(c):
    lead = c["lead"]
    v = lead.get("title")
    if v is None or v.strip().casefold() != "student":
        return False
    return lead.get("is_personal_email") is True


def h20(c):
    if c["lead"].get("is_personal_email") is not True:
        return False
    v = c["intent"].get("score")
    if v is None or v.strip().casefold() != "high":
        return False
    v = c["session"].get("pages_viewed")
    return v is not None and v >= 15


def h21(c):
    crm = c.get("crm")
    if crm is None:
        return False
    v = crm.get("lifecycle_stage")
    if v is None or v.strip().casefold() != "churned":
        return False
    return crm.get("exists") is True


def h22(c):
    crm = c.get("crm")
    if crm is None:
        return False
    v = crm.get("lifecycle_stage")
    if v is None or v.strip().casefold() not in {"mql", "sql"}:
        return False
    v = crm.get("owner_email")
    if v is None or _under(v, _PARTNER):
        return False
    v = c["intent"].get("type")
    return v is None or v.strip().casefold() not in {"job_seeker", "support"}


def h23(c):
    if not _has(c["company"].get("tech"), "snowflake"):
        return False
    v = c["lead"].get("title")
    return v is not None and _RX_DATA.search(v.strip()) is not None


def h24(c):
    co = c["company"]
    v = co.get("industry")
    if v is None or v.strip().casefold() != "retail":
        return False
    tech = co.get("tech")
    if not (_has(tech, "shopify") or _has(tech, "stripe")):
        return False
    v = co.get("employees")
    return v is not None and v >= 500


def h25(c):
    co = c["company"]
    v = co.get("industry")
    if v is None or v.strip().casefold() != "manufacturing":
        return False
    v = co.get("domain")
    if v is None or not v.strip().casefold().endswith(".de"):
        return False
    v = co.get("employees")
    return v is not None and v >= 100


def h26(c):
    s = c["session"]
    v = s.get("device")
    if v is None or v.strip().casefold() != "mobile":
        return False
    v = s.get("time_on_site")
    if v is None or v >= 900:
        return False
    v = c["intent"].get("score")
    return v is not None and v.strip().casefold() == "low"


def h27(c):
    a = c["attribution"]
    v = a.get("channel")
    if v is None or v.strip().casefold() != "newsletter":
        return False
    v = a.get("campaign")
    if v is not None and "webinar" in v.strip().casefold():
        return True
    v = c["signals"].get("engagement_score")
    return v is not None and v >= 60


def h28(c):
    v = c["attribution"].get("channel")
    if v is None or v.strip().casefold() != "partner referral":
        return False
    i = c["intent"]
    v = i.get("type")
    if v is not None and v.strip().casefold() == "support":
        return False
    v = i.get("score")
    if v is not None and v.strip().casefold() == "low":
        return False
    v = c["signals"].get("engagement_score")
    return v is not None and v >= 20


def h29(c):
    v = c["session"].get("page_url")
    if v is None or "/docs" not in v.strip().casefold():
        return False
    v = c["lead"].get("title")
    return v is not None and v.strip().casefold() in {"software engineer", "cto", "data scientist"}


def h30(c):
    co = c["company"]
    if co.get("employees") is not None:
        return False
    v = co.get("revenue")
    return v is not None and v >= 50_000_000


def h31(c):
    if c["company"].get("name") is not None:
        return False
    v = c["signals"].get("engagement_score")
    if v is None or not 80 <= v <= 100:
        return False
    return c["lead"].get("is_personal_email") is False


def h32(c):
    v = c["attribution"].get("channel")
    if v is None or v.strip().casefold() != "google ads":
        return False
    i = c["intent"]
    v = i.get("type")
    if v is None or v.strip().casefold() not in {"buying", "unknown"}:
        return False
    v = i.get("score")
    return v is None or v.strip().casefold() != "low"


def h33(c):
    v = c["company"].get("country")
    if v is None or v.strip().casefold() != "jp":
        v = c["session"].get("country")
        if v is None or v.strip().casefold() != "jp":
            return False
    v = c["intent"].get("type")
    if v is not None and v.strip().casefold() == "job_seeker":
        return False
    v = c["signals"].get("engagement_score")
    return v is not None and v >= 40


def h34(c):
    co = c["company"]
    v = co.get("industry")
    if v is None or v.strip().casefold() != "media":
        return False
    tech = co.get("tech")
    return _has(tech, "intercom") or _has(tech, "zendesk")


def h35(c):
    co = c["company"]
    if not _has(co.get("tech"), "okta"):
        return False
    v = co.get("employees")
    if v is None or v < 200:
        return False
    v = c["lead"].get("title")
    return v is not None and _RX_LEADER.search(v.strip()) is not None


def h36(c):
    co = c["company"]
    v = co.get("industry")
    if v is None or v.strip().casefold() not in {"energy", "logistics"}:
        return False
    v = co.get("revenue")
    if v is None or not 10_000_000 <= v <= 1_000_000_000:
        return False
    v = c["intent"].get("type")
    return v is not None and v.strip().casefold() == "buying"


def h37(c):
    v = c["company"].get("industry")
    if v is None or v.strip().casefold() != "education":
        return False
    v = c["session"].get("device")
    if v is not None and v.strip().casefold() == "mobile":
        return False
    v = c["intent"].get("score")
    return v is None or v.strip().casefold() != "low"


def h38(c):
    v = c["lead"].get("title")
    if v is None or v.strip().casefold() != "founder":
        return False
    v = c["company"].get("employees")
    return v is not None and v <= 50


def h39(c):
    v = c["lead"].get("title")
    if v is None or v.strip().casefold() != "recruiter":
        return False
    v = c["session"].get("page_url")
    return v is None or "/pricing" not in v.strip().casefold()


def h40(c):
    co = c["company"]
    v = co.get("country")
    if v is None or v.strip().casefold() != "ca":
        return False
    v = co.get("employees")
    if v is None or not 100 <= v <= 999:
        return False
    v = c["intent"].get("type")
    return v is not None and v.strip().casefold() == "buying"


def h41(c):
    co = c["company"]
    if not _under(co.get("domain"), _CO_UK):
        return False
    v = co.get("industry")
    return v is not None and v.strip().casefold() in {"saas", "fintech"}


def h42(c):
    v = c["signals"].get("funnel_stage")
    if v is None or v.strip().casefold() != "opportunity":
        return False
    crm = c.get("crm")
    if crm is not None and crm.get("exists") is True:
        return False
    v = c["intent"].get("score")
    return v is not None and v.strip().casefold() == "high"


def h43(c):
    v = c["signals"].get("engagement_score")
    if v is None or v < 97:
        return False
    v = c["intent"].get("type")
    return v is None or v.strip().casefold() != "job_seeker"


def h44(c):
    v = c["attribution"].get("channel")
    if v is None or v.strip().casefold() != "organic search":
        return False
    s = c["session"]
    v = s.get("time_on_site")
    if v is None or v < 1800:
        return False
    v = s.get("pages_viewed")
    return v is not None and v >= 8


def h45(c):
    v = c["attribution"].get("channel")
    if v is None or v.strip().casefold() != "direct":
        return False
    if c["session"].get("is_returning") is not True:
        return False
    if c["lead"].get("is_personal_email") is not False:
        return False
    v = c["company"].get("employees")
    return v is not None and v > 200


def h46(c):
    i = c["intent"]
    v = i.get("type")
    if v is None or v.strip().casefold() != "buying":
        return False
    v = c["company"].get("employees")
    if v is None or not 50 <= v <= 1999:
        return False
    v = i.get("score")
    return v is None or v.strip().casefold() != "low"


def h47(c):
    v = c["custom"].get("plan_interest")
    if v is None or v.strip().casefold() != "enterprise":
        return False
    co = c["company"]
    v = co.get("employees")
    if v is None or v < 1000:
        return False
    v = co.get("industry")
    return v is None or v.strip().casefold() not in {"government", "education"}


def h48(c):
    v = c["lead"].get("title")
    if v is None or v.strip().casefold() not in {"cto", "software engineer", "head of growth"}:
        return False
    tech = c["company"].get("tech")
    return _has(tech, "aws") or _has(tech, "datadog")


def h49(c):
    i = c["intent"]
    v = i.get("type")
    if v is None or v.strip().casefold() != "buying":
        return False
    v = i.get("score")
    if v is None or v.strip().casefold() != "high":
        return False
    s = c["session"]
    v = s.get("device")
    if v is None or v.strip().casefold() != "desktop":
        return False
    v = c["company"].get("employees")
    if v is None or v < 500:
        return False
    v = s.get("pages_viewed")
    return v is not None and v >= 10


def h50(c):
    return True


HAND_WRITTEN = [
    h01, h02, h03, h04, h05, h06, h07, h08, h09, h10,
    h11, h12, h13, h14, h15, h16, h17, h18, h19, h20,
    h21, h22, h23, h24, h25, h26, h27, h28, h29, h30,
    h31, h32, h33, h34, h35, h36, h37, h38, h39, h40,
    h41, h42, h43, h44, h45, h46, h47, h48, h49, h50,
]  # fmt: skip

assert len(SEGMENTS) == len(HAND_WRITTEN) == 50
