"""What routing reads from the outside world, in routing's own terms.

Providers (crm.facts.fetch, and calendars next) fill these dataclasses through
routing.seams.fetch_facts; routing never imports the apps that fill them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrmFacts:
    """The CRM's answer for one lead, before the routing transaction opens.

    `namespace` is the `crm` namespace of the context (SPEC 3) when the CRM
    answered (found or not), None when it could not be asked; `error` then
    says why, for the trace. The three flags feed `signals.funnel_stage`.
    `company` is the CRM account's company facts (SPEC 3 names: name,
    industry, employees, ...), the second source of `company.*` after the caller.
    """

    namespace: dict | None = None
    record_type: str | None = None
    record_id: str | None = None
    owner_rep_id: int | None = None
    error: str | None = None
    exists: bool = False
    is_customer: bool = False
    has_open_opportunity: bool = False
    company: dict | None = None

    @property
    def answered(self) -> bool:
        return self.namespace is not None

    @property
    def crm_status(self) -> str:
        """SPEC 6 `signals.crm_status`."""
        return "exists" if self.exists else "not_found"


# SPEC 3 `company` fields, in the order the trace lists them.
COMPANY_FIELDS: tuple[str, ...] = (
    "name",
    "domain",
    "industry",
    "employees",
    "revenue",
    "country",
    "hq_city",
    "tech",
)


@dataclass(frozen=True)
class EnrichmentFacts:
    """The enrichment provider's answer for one lead's email domain.

    `company` holds SPEC 3 `company` fields (our names) when the provider
    found the company, None otherwise; `error` says why it could not be
    asked (a gap in the trace, never a failed routing), `skipped` why no
    lookup was made (a personal mailbox). `provider` names the source
    shown in the trace ("enrichment: local").
    """

    provider: str
    company: dict | None = None
    error: str | None = None
    skipped: str | None = None
    cached: bool = False
    matched_domain: str | None = None

    @property
    def source(self) -> str:
        return f"enrichment: {self.provider}"
