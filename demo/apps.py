from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo workspace and demo traffic (seed_demo, simulate_leads).

    The one app that may import every slice (routing, crm, calendars): the demo
    shows the chat and the meeting funnels together, and routing must not import
    crm or calendars (docs/architecture.md). Nothing else imports this app.
    """

    name = "demo"
    verbose_name = "Demo data"
