from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"

    def ready(self):
        # Registers the Google Calendar event deliveries (calendar.insert/patch/delete).
        from . import google_events  # noqa: F401
