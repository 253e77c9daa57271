"""The enrichment provider registry. An unknown name is an error, never a silent
default (as crm.backends.BACKENDS)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import Answer, EnrichmentError, Provider

PROVIDERS: dict[str, str] = {
    "local": "enrichment.providers.local.LocalProvider",
    "http": "enrichment.providers.http.HttpProvider",
}


class UnknownProvider(EnrichmentError, ImproperlyConfigured):
    def __init__(self, name):
        known = ", ".join(sorted(PROVIDERS))
        super().__init__(
            f"unknown enrichment provider {name!r} (known: {known})", code="unknown_provider"
        )


def provider_class(name: str) -> type[Provider]:
    if not isinstance(name, str) or name not in PROVIDERS:
        raise UnknownProvider(name)
    return import_string(PROVIDERS[name])


def get_provider(settings) -> Provider:
    """The provider a workspace's EnrichmentSettings names, configured by them."""
    return provider_class(settings.provider)(settings)


__all__ = [
    "PROVIDERS",
    "Answer",
    "EnrichmentError",
    "Provider",
    "UnknownProvider",
    "get_provider",
    "provider_class",
]
