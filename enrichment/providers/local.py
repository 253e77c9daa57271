"""The built-in provider: this workspace's Company table, matched on the domain
or its closest parent (eu.acme.com finds acme.com)."""

from __future__ import annotations

from enrichment.domains import candidates

from .base import Answer, Provider


class LocalProvider(Provider):
    name = "local"
    # One indexed query on this database: inline, and a worker thread's
    # connection could not see the caller's transaction anyway.
    needs_time_box = False

    def lookup(self, domain: str) -> Answer:
        from enrichment.models import Company

        wanted = candidates(domain)
        rows = {
            c.domain: c
            for c in Company.objects.filter(
                workspace_id=self.settings.workspace_id, domain__in=wanted
            )
        }
        for candidate in wanted:  # longest (most specific) first
            if candidate in rows:
                return Answer(rows[candidate].as_facts(), candidate)
        return Answer(None, domain)
