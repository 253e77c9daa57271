"""Builds the routing context (SPEC 3) for one inbound chat.

Missing stays missing: a namespace or field we could not obtain is absent
from the context, never an empty string, and `gaps` says why.
"""

from __future__ import annotations

from . import intent as intent_detection
from .engagement import engagement_score
from .enrichment import email_domain, is_personal_domain, url_host
from .facts import COMPANY_FIELDS, CrmFacts, EnrichmentFacts

UTM_FIELDS = ("source", "medium", "campaign", "term", "content")


def _clean(d: dict) -> dict:
    """Drop None and blank strings: from a caller they mean 'not known' (missing)."""
    return {
        k: v for k, v in d.items() if v is not None and not (isinstance(v, str) and not v.strip())
    }


def referrer_domain(referrer: str | None) -> str | None:
    """The referrer's domain, or None (missing stays missing) when it names no host."""
    return url_host(referrer) or None


def first_touch(*, utm: dict, link_utm: dict, referrer: str | None, link) -> dict:
    """SPEC 6: UTMs (entry page, else link defaults), else referrer, else link, else direct."""
    merged = {**_clean(link_utm or {}), **_clean(utm or {})}
    utms = {k: merged[k] for k in UTM_FIELDS if merged.get(k) not in (None, "")}
    ref_domain = referrer_domain(referrer)
    link_channel = link.channel if link is not None and link.channel else None
    if utms:
        touch = {**utms, "touch": "utm"}
        if link_channel or utms.get("source"):
            touch["channel"] = link_channel or utms["source"]
    elif ref_domain:
        touch = {"source": ref_domain, "medium": "referral", "touch": "referrer"}
        touch["channel"] = link_channel or ref_domain
    elif link_channel:
        touch = {"source": link_channel, "medium": "knock_link", "channel": link_channel}
        touch["touch"] = "link"
    else:
        touch = {"source": "direct", "medium": "none", "channel": "Direct", "touch": "direct"}
    if ref_domain:
        touch["referrer_domain"] = ref_domain
    return touch


def payload_first_touch(payload: dict, link) -> dict:
    """The first touch a chat or meeting request brings (a new lead's attribution)."""
    session = _clean(payload.get("session") or {})
    return first_touch(
        utm=payload.get("utm") or {},
        link_utm=link.utm_defaults if link is not None else {},
        referrer=payload.get("referrer") or session.get("referrer"),
        link=link,
    )


def build_chat_context(
    *,
    payload: dict,
    link,
    lead_first_touch: dict | None,
    lead_existed: bool,
    crm=None,
    history: dict | None = None,
    enrichment: EnrichmentFacts | None = None,
) -> tuple[dict, dict]:
    """Return (context, gaps). `payload` is the validated POST /chats/ body.

    `crm` is a CrmFacts (the time-boxed lookup's outcome) or None when no lookup ran;
    `enrichment` an EnrichmentFacts likewise (company facts by email domain).
    `history` is the lead's past in Knock: {"prior_chats", "days_since_last_seen"}.
    """
    gaps: dict[str, str] = {}
    lead_in = _clean(payload["lead"])
    email = lead_in["email"].strip().lower()
    domain = email_domain(email)
    lead = {**lead_in, "email": email, "domain": domain}
    lead["is_personal_email"] = is_personal_domain(domain)

    company, sources, company_gap = company_namespace(
        _clean(payload.get("company") or {}), crm, enrichment, domain
    )
    if company_gap:
        gaps["company"] = company_gap

    session = _clean(payload.get("session") or {})
    if payload.get("referrer") and "referrer" not in session:
        session["referrer"] = payload["referrer"]
    session.setdefault("is_returning", lead_existed)

    attribution = lead_first_touch or payload_first_touch(payload, link)

    given_intent = _clean(payload.get("intent") or {})
    if given_intent.get("type"):
        intent = {"score": "medium", **given_intent, "source": "caller"}
    else:
        intent = intent_detection.detect(
            payload.get("message") or "", pages_viewed=session.get("pages_viewed")
        )
        if given_intent.get("score"):
            intent["score"] = given_intent["score"]

    context = {
        "lead": lead,
        "company": company,
        "session": session,
        "attribution": attribution,
        "intent": intent,
        "signals": crm_signals(crm, lead_existed),
        "custom": dict(payload.get("custom") or {}),
    }
    if sources:
        context["sources"] = sources
    if link is not None:
        context["link"] = _clean({"slug": link.slug, "channel": link.channel, "name": link.name})
    history = history or {}
    context["signals"]["engagement_score"] = engagement_score(
        prior_chats=history.get("prior_chats", 0),
        pages_viewed=session.get("pages_viewed"),
        time_on_site=session.get("time_on_site"),
        days_since_last_seen=history.get("days_since_last_seen"),
        is_returning=bool(session.get("is_returning")),
    )
    if crm is not None and crm.answered:
        context["crm"] = dict(crm.namespace)
    elif crm is None:
        gaps["crm"] = "not looked up"
    elif crm.error:
        # Missing, not empty: CRM conditions are false, their negations true.
        gaps["crm"] = f"unavailable ({crm.error})"
        gaps["signals"] = "funnel stage from Knock history only (CRM unavailable)"
    return context, gaps


def company_namespace(
    caller: dict, crm: CrmFacts | None, enrichment: EnrichmentFacts | None, domain: str
) -> tuple[dict, dict, str | None]:
    """(company, sources, gap): SPEC 3 `company`, field by field from the caller,
    else the CRM account, else the enrichment provider. `sources` maps
    "company.<field>" to where its value came from ("caller", "crm: hubspot",
    "enrichment: local"); `gap` says why company facts are missing or partial."""
    layers: list[tuple[str, dict]] = [("caller", caller)]
    if crm is not None and crm.answered and crm.company:
        layers.append((f"crm: {crm.namespace.get('system', 'crm')}", _clean(crm.company)))
    if enrichment is not None and enrichment.company:
        layers.append((enrichment.source, _clean(enrichment.company)))
    company: dict = {}
    sources: dict[str, str] = {}
    for source, fields in layers:
        for key, value in fields.items():
            if key not in company:
                company[key] = value
                sources[f"company.{key}"] = source
    # Our fields first, in catalog order; a caller's extra keys after them.
    order = {name: i for i, name in enumerate(COMPANY_FIELDS)}
    company = dict(sorted(company.items(), key=lambda kv: order.get(kv[0], len(order))))
    sources = {f"company.{k}": sources[f"company.{k}"] for k in company}

    gap = None
    if enrichment is None:
        if not company:
            gap = "no enrichment provider configured and the caller sent none"
    elif enrichment.error:
        gap = f"enrichment unavailable ({enrichment.error})"
        if company:
            gap += "; only the caller's and the CRM's company facts"
    elif not company:
        gap = enrichment.skipped or f"{enrichment.source} knows no company at {domain}"
    return company, sources, gap


def funnel_stage(crm: CrmFacts | None, *, seen_before: bool) -> str:
    """SPEC 6 `signals.funnel_stage`: customer (closed-won / customer lifecycle), else
    opportunity (an open one), else existing (seen before or in the CRM), else
    first_seen. `crm` is None, or has not answered, when the CRM could not be
    asked (then only `seen_before` counts, and the trace says why the CRM is missing)."""
    if crm is not None and crm.answered and crm.exists:
        if crm.is_customer:
            return "customer"
        if crm.has_open_opportunity:
            return "opportunity"
        return "existing"
    return "existing" if seen_before else "first_seen"


def crm_signals(crm: CrmFacts | None, lead_existed: bool) -> dict:
    """SPEC 6: funnel stage and CRM status (the engagement score is added by the caller)."""
    signals = {"funnel_stage": funnel_stage(crm, seen_before=lead_existed)}
    if crm is not None and crm.answered:
        signals["crm_status"] = crm.crm_status
    return signals
