"""The enrichment provider interface: one answer type, one error type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class EnrichmentError(Exception):
    """A provider could not answer (timeout, refused credentials, bad answer).
    Shown in the trace as a gap; never fails a routing."""

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Answer:
    """A provider's answer for one domain: `company` (SPEC 3 fields) or None
    when it knows no company there; `domain` is the one that matched."""

    company: dict | None
    domain: str


class Provider:
    """Subclasses set `name` and implement `lookup(domain)`."""

    name: ClassVar[str] = ""
    #: True when a lookup may block on the network: it then runs in a worker
    #: thread, time-boxed, and its answers are cached in the database.
    needs_time_box: ClassVar[bool] = True

    def __init__(self, settings):
        self.settings = settings
        self.timeout = settings.timeout_ms / 1000

    def lookup(self, domain: str) -> Answer:
        raise NotImplementedError
