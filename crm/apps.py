from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"

    def ready(self):
        # Registers the "crm.write" delivery handler.
        from . import writeback  # noqa: F401
