"""Slack request signatures (https://docs.slack.dev/authentication/verifying-requests-from-slack/)."""

from django.conf import settings
from slack_sdk.signature import SignatureVerifier


def signature_problem(request) -> str | None:
    """None when the request is signed by Slack within the last 5 minutes, else why not."""
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        return "SLACK_SIGNING_SECRET is not configured"
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        return "missing signature headers"
    if not timestamp.isascii() or not timestamp.isdigit():
        return "bad signature timestamp"  # SignatureVerifier would raise on int()
    verifier = SignatureVerifier(secret)
    # is_valid checks the 5-minute window itself (replay protection).
    if not verifier.is_valid(body=request.body, timestamp=timestamp, signature=signature):
        return "bad or expired signature"
    return None
