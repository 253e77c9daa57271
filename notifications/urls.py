from django.urls import path

from . import views as console
from .slack import views

app_name = "slack"

urlpatterns = [
    path("events/", views.events, name="events"),
    path("interactions/", views.interactions, name="interactions"),
]

# The console's Slack pages. knock/urls.py mounts them in the "console" namespace,
# under the same paths and names as before (templates use console:slack...).
W = "w/<int:ws>/"
console_urlpatterns = [
    path(W + "slack/", console.slack_page, name="slack"),
    path(W + "slack/settings/", console.slack_settings, name="slack-settings"),
    path(W + "slack/sync/", console.slack_sync_start, name="slack-sync"),
    path(W + "slack/sync/<int:sync_id>/", console.slack_sync_progress, name="slack-sync-progress"),
    path(W + "deliveries/<int:delivery_id>/retry/", console.delivery_retry, name="delivery-retry"),
]
