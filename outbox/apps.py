from django.apps import AppConfig


class OutboxConfig(AppConfig):
    # No ready(): handlers are named in settings.KNOCK_OUTBOX_HANDLERS and imported
    # when a delivery of their kind runs, never registered by importing a module.
    name = "outbox"
