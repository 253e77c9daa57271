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
    """

    namespace: dict | None = None
    record_type: str | None = None
    record_id: str | None = None
    owner_rep_id: int | None = None
    error: str | None = None
    exists: bool = False
    is_customer: bool = False
    has_open_opportunity: bool = False

    @property
    def answered(self) -> bool:
        return self.namespace is not None

    @property
    def crm_status(self) -> str:
        """SPEC 6 `signals.crm_status`."""
        return "exists" if self.exists else "not_found"
