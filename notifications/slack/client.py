"""The one place that builds a slack-sdk WebClient and classifies its errors."""

from __future__ import annotations

import socket
import urllib.error

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from outbox.errors import DeliveryError

# https://docs.slack.dev/reference/methods/chat.postMessage#errors : these do not
# heal by waiting, so they are not retried.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found", "not_in_channel", "invalid_auth", "not_authed", "account_inactive",
        "token_revoked", "user_not_found", "is_archived", "msg_too_long", "no_text",
        "invalid_blocks", "missing_scope", "cannot_dm_bot", "user_disabled", "message_not_found",
        "cant_update_message", "restricted_action", "channel_is_archived",
    }
)  # fmt: skip


def token_for(workspace) -> str:
    """The workspace's own token, else SLACK_BOT_TOKEN for the default workspace.

    '' means the local outbox. The environment's token belongs to one workspace
    only (SLACK_WORKSPACE, a slug; else the oldest workspace): other tenants of
    the same server must never post into that Slack.
    """
    own = getattr(workspace, "slack_settings", None)
    if own is not None and own.bot_token:
        return own.bot_token
    if not settings.SLACK_BOT_TOKEN:
        return ""
    return settings.SLACK_BOT_TOKEN if is_default_workspace(workspace) else ""


def is_default_workspace(workspace) -> bool:
    from routing.models import Workspace

    if settings.SLACK_WORKSPACE:
        return workspace.slug == settings.SLACK_WORKSPACE
    oldest = Workspace.objects.order_by("id").values_list("id", flat=True).first()
    return workspace.id == oldest


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a 429 in-process only when Slack asks for at most `max_wait` seconds."""

    def __init__(self, max_retry_count: int = 1, max_wait: float | None = None):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        if self.max_wait is None:
            return True
        return _retry_after(response.headers) <= self.max_wait


def _retry_after(headers) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list | tuple) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                break
    return 30.0


def client_for(
    workspace,
    *,
    timeout: int = 10,
    rate_limit_retries: int = 1,
    max_rate_limit_wait: float | None = 3,
) -> WebClient:
    token = token_for(workspace)
    if not token:
        raise DeliveryError("Slack is not connected for this workspace", permanent=True)
    client = WebClient(token=token, base_url=settings.SLACK_API_URL, timeout=timeout)
    # Short Retry-After waits are absorbed here; longer outages go back to the task queue
    # (a worker must not sleep through a long Retry-After). None: always wait (rep sync).
    client.retry_handlers.append(
        ShortRateLimitRetryHandler(max_retry_count=rate_limit_retries, max_wait=max_rate_limit_wait)
    )
    return client


def classify(exc: Exception) -> DeliveryError:
    """Turn what slack-sdk raised into a retry decision."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", 200)
        error = (response.get("error") if hasattr(response, "get") else None) or "unknown"
        if status == 429:
            retry_after = _retry_after(response.headers)
            return DeliveryError("Slack rate limit (429)", permanent=False, retry_after=retry_after)
        if status >= 500:
            return DeliveryError(f"Slack server error {status}", permanent=False)
        return DeliveryError(f"Slack error: {error}", permanent=error in PERMANENT_ERRORS)
    if isinstance(
        exc,
        (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, SlackRequestError),
    ):
        return DeliveryError(f"Slack unreachable: {exc}", permanent=False)
    return DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False)
