"""The enrichment fact provider (settings.KNOCK_FACT_PROVIDERS["enrichment"]),
called by routing.seams.fetch_facts before the routing transaction opens.

A network provider runs in a worker of a small thread pool and the caller
waits at most the workspace's time box (default 800 ms); its answers (found
or not) are cached per domain in the database for the TTL (default 7 days).
Every failure becomes `EnrichmentFacts.error`, a gap in the trace: a slow or
dead provider never fails or holds up a routing.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from knock import request_gate
from routing import cache
from routing.facts import EnrichmentFacts

from . import domains
from .models import CachedAnswer, EnrichmentSettings
from .providers import Answer, EnrichmentError, Provider, get_provider

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="enrichment")
        return _executor


def fetch(workspace, *, email: str, domain: str | None) -> EnrichmentFacts:
    settings = EnrichmentSettings.cached_for(workspace)
    if settings.provider == "local":
        # The local table's answers, per domain, cached under the workspace's routing
        # stamp (routing/cache.py): the importer replaces it when it writes the table.
        return cache.get(
            workspace,
            "enrichment.local",
            domain or "",
            lambda: lookup(settings, domain or ""),
            keep=lambda facts: facts.error is None,
        )
    return lookup(settings, domain or "")


def lookup(settings: EnrichmentSettings, domain: str, *, use_cache: bool = True) -> EnrichmentFacts:
    """The workspace's provider asked about `domain` (cache first), never raising."""
    name = settings.provider
    domain = domains.normalize(domain)
    if not domain or not domains.is_valid(domain):
        return EnrichmentFacts(provider=name, skipped="no company domain in the email")
    if domains.is_personal(domain):
        return EnrichmentFacts(
            provider=name, skipped=f"personal email domain ({domain}): no company lookup"
        )
    try:
        provider = get_provider(settings)
    except EnrichmentError as exc:
        return EnrichmentFacts(provider=name, error=str(exc))
    if not provider.needs_time_box:
        try:
            answer = _run(provider, domain)
        except EnrichmentError as exc:
            return EnrichmentFacts(provider=name, error=str(exc))
        return _facts(name, answer)

    if use_cache:
        hit = _cached(settings, domain)
        if hit is not None:
            return hit
    future = _pool().submit(_run, provider, domain)
    try:
        with request_gate.outside():  # a provider's wait holds no place in the gate
            answer = future.result(timeout=provider.timeout)
    except FutureTimeout:
        future.cancel()  # drops it if it never started (a saturated pool)
        return EnrichmentFacts(provider=name, error=f"timeout after {provider.timeout:g} s")
    except EnrichmentError as exc:
        return EnrichmentFacts(provider=name, error=str(exc))
    _store(settings, domain, answer)
    return _facts(name, answer)


def _run(provider: Provider, domain: str) -> Answer:
    try:
        return provider.lookup(domain)
    except EnrichmentError:
        raise
    except Exception as exc:
        # A bug or an unexpected library error must not fail the routing either.
        logger.exception("enrichment lookup on %s crashed", provider.name)
        raise EnrichmentError(
            f"{provider.name} lookup failed: {exc.__class__.__name__}", code="unexpected"
        ) from exc


def _facts(name: str, answer: Answer, *, cached: bool = False) -> EnrichmentFacts:
    return EnrichmentFacts(
        provider=name,
        company=answer.company or None,
        cached=cached,
        matched_domain=answer.domain if answer.company else None,
    )


def _cached(settings: EnrichmentSettings, domain: str) -> EnrichmentFacts | None:
    if settings.workspace_id is None:
        return None
    row = CachedAnswer.objects.filter(
        workspace_id=settings.workspace_id,
        provider=settings.provider,
        domain=domain,
        expires_at__gt=timezone.now(),
    ).first()
    if row is None:
        return None
    return _facts(
        settings.provider, Answer(row.company if row.found else None, domain), cached=True
    )


def _store(settings: EnrichmentSettings, domain: str, answer: Answer) -> None:
    """Cache the answer; a failed write only costs the next lookup a round trip."""
    if settings.workspace_id is None:
        return
    now = timezone.now()
    try:
        with transaction.atomic():
            CachedAnswer.objects.update_or_create(
                workspace_id=settings.workspace_id,
                provider=settings.provider,
                domain=domain,
                defaults={
                    "found": bool(answer.company),
                    "company": answer.company or {},
                    "fetched_at": now,
                    "expires_at": now + timedelta(days=settings.cache_ttl_days),
                },
            )
    except DatabaseError:
        logger.warning("could not cache the enrichment answer for %s", domain, exc_info=True)
