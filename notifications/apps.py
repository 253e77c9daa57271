from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # Registers the Slack delivery handlers (deliveries.HANDLERS).
        from .slack import deliver  # noqa: F401
