"""What counts as a Slack channel, one rule wherever a channel is written.

A rule's or a segment's monitoring channel (the API, the console, drafts, the
admin: through routing.actions) and the workspace's default channel (the Slack
settings page, notifications/forms.py) are all checked by `clean_channel`.
Blank is no channel (a segment inherits the rule's, a rule the workspace's).
`channel_validator` is the same rule as a field validator, for the API's
serializers and the console's forms alike (DRF turns Django's ValidationError
into the field's error).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Slack channel names: lowercase letters, digits, -, _ and . (at most 80); ids: C…/G….
CHANNEL_NAME = re.compile(r"#?[a-z0-9][a-z0-9._-]{0,79}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,}")
MAX_LENGTH = 100  # the models' and forms' max_length


class ChannelError(ValueError):
    """`str(error)` is the message to show beside the field."""


def clean_channel(value) -> str:
    """`value` trimmed when it is blank or a Slack channel (`#leads`, `leads`,
    `C0123456789`); otherwise ChannelError with the message saying why."""
    if not isinstance(value, str):
        raise ChannelError("A Slack channel is text: give a name like #leads.")
    channel = value.strip()
    if len(channel) > MAX_LENGTH:
        raise ChannelError(f"A Slack channel name of at most {MAX_LENGTH} characters.")
    if channel and not (CHANNEL_NAME.fullmatch(channel) or CHANNEL_ID.fullmatch(channel)):
        raise ChannelError(
            f"“{channel}” is not a Slack channel: give a name like #leads (lowercase "
            "letters, digits, - and _) or a channel id like C0123456789."
        )
    return channel


def channel_validator(value) -> None:
    """`clean_channel` as a field validator: Django's ValidationError with its message.
    A value over MAX_LENGTH is left to the field's own max_length, said once."""
    if len(value) > MAX_LENGTH:
        return
    try:
        clean_channel(value)
    except ChannelError as exc:
        raise ValidationError(str(exc)) from exc
