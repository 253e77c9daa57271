from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # Registers the Slack delivery handlers (deliveries.HANDLERS).
        from . import deliveries
        from .slack import deliver, meeting_deliver  # noqa: F401
        from .slack.tasks import on_alert_recorded

        deliveries.ON_DONE.setdefault("slack.alert", []).append(on_alert_recorded)
