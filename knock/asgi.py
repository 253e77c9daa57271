"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from knock import gc_tuning
from knock.asgi_http import get_asgi_application
from knock.tcp import ensure_nodelay

gc_tuning.tune()  # fewer, cheaper cyclic collections under load (knock/gc_tuning.py)
ensure_nodelay()  # uvicorn --workers: answers without Nagle's ~40 ms wait (knock/tcp.py)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knock.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from knock.ws_origin import OriginValidator  # noqa: E402
from routing.consumers import FeedConsumer  # noqa: E402

websocket_urlpatterns = [
    path("ws/workspaces/<int:workspace_id>/feed/", FeedConsumer.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Scheme, host and port against ALLOWED_HOSTS / CSRF_TRUSTED_ORIGINS (ws_origin.py).
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
