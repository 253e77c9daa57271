"""The CRM backend registry. An unknown name is an error, never a silent default
(healthchecks' TRANSPORTS, NetBox's data backends)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import CrmBackend, CrmError, CrmRecord

if TYPE_CHECKING:
    from crm.models import CrmSettings

# name -> dotted path; imported on first use so that loading the registry does
# not import every vendor SDK.
BACKENDS: dict[str, str] = {
    "local": "crm.backends.local.LocalBackend",
    "salesforce": "crm.backends.salesforce.SalesforceBackend",
    "hubspot": "crm.backends.hubspot.HubSpotBackend",
    "marketo": "crm.backends.marketo.MarketoBackend",
}


class UnknownBackend(CrmError, ImproperlyConfigured):
    """A backend name that is not in BACKENDS. Both a permanent CrmError (for the
    routing path, which only catches CrmError) and an ImproperlyConfigured."""

    def __init__(self, name):
        known = ", ".join(sorted(BACKENDS))
        super().__init__(
            f"unknown CRM backend {name!r} (known: {known})", permanent=True, code="unknown_backend"
        )


def backend_class(name: str) -> type[CrmBackend]:
    if not isinstance(name, str) or name not in BACKENDS:
        raise UnknownBackend(name)
    return import_string(BACKENDS[name])


def get_backend(name: str, settings: CrmSettings | None = None) -> CrmBackend:
    """An instance of backend `name`, configured by a workspace's CrmSettings.

    `settings` may be None only for backends that need no workspace
    configuration; the local backend needs one (it reads that workspace's tables).
    """
    return backend_class(name)(settings)


def backend_for_workspace(workspace) -> CrmBackend:
    """The workspace's configured backend (local when it has no CrmSettings yet)."""
    from crm.models import CrmSettings

    crm_settings = CrmSettings.cached_for(workspace)
    return get_backend(crm_settings.backend, crm_settings)


__all__ = [
    "BACKENDS",
    "CrmBackend",
    "CrmError",
    "CrmRecord",
    "UnknownBackend",
    "backend_class",
    "backend_for_workspace",
    "get_backend",
]
