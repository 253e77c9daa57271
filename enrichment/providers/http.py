"""A configurable JSON-over-HTTP provider: GET the URL template with {domain},
with the configured headers (one of them secret, stored encrypted), and read
our company fields from the answer through the JSON-path mapping.

404 (or an answer none of the paths finds) means "no company there" and is
cached; timeouts, refused credentials, 429/5xx and non-JSON answers are errors
(gaps in the trace), not cached.
"""

from __future__ import annotations

import requests

from enrichment import httpconfig
from knock import crypto

from .base import Answer, EnrichmentError, Provider


class HttpProvider(Provider):
    name = "http"

    def __init__(self, settings):
        super().__init__(settings)
        if not settings.http_url_template:
            raise EnrichmentError("the HTTP provider has no URL template", code="configuration")
        self.template = settings.http_url_template
        self.mapping = dict(settings.http_mapping or {})
        self.headers = {"Accept": "application/json", **(settings.http_headers or {})}
        if settings.http_secret_header:
            try:
                self.headers[settings.http_secret_header] = settings.http_secret
            except crypto.UndecryptableSecret as exc:
                raise EnrichmentError(str(exc), code="credentials") from exc

    def lookup(self, domain: str) -> Answer:
        url = httpconfig.render(self.template, domain)
        try:
            response = requests.get(url, headers=self.headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise EnrichmentError("the provider did not answer in time", code="timeout") from exc
        except requests.RequestException as exc:
            raise EnrichmentError(
                f"cannot reach the provider: {exc.__class__.__name__}", code="connection"
            ) from exc
        status = response.status_code
        if status == 404:
            return Answer(None, domain)
        if status in (401, 403):
            raise EnrichmentError(f"the provider refused the credentials ({status})", code="auth")
        if status >= 400:
            raise EnrichmentError(f"the provider answered {status}", code=f"http_{status}")
        if status == 204 or not response.content:
            return Answer(None, domain)
        try:
            data = response.json()
        except ValueError as exc:
            raise EnrichmentError(
                f"the provider sent a non-JSON answer ({status})", code="bad_response"
            ) from exc
        company = httpconfig.apply_mapping(data, self.mapping)
        return Answer(company or None, domain)
