"""The console's Slack settings form."""

import re

from django import forms

# Slack channel names: lowercase letters, digits, -, _ and . (at most 80); ids: C…/G….
CHANNEL_NAME = re.compile(r"#?[a-z0-9][a-z0-9._-]{0,79}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,}")


class SlackSettingsForm(forms.Form):
    bot_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="xoxb-… Leave empty to keep the current one.",
        label="Bot token",
    )
    default_channel = forms.CharField(
        max_length=100, required=False, help_text="For rules without a monitoring channel."
    )
    disconnect = forms.BooleanField(required=False, label="Disconnect (use the local outbox)")

    def clean_default_channel(self):
        channel = self.cleaned_data["default_channel"].strip()
        if channel and not (CHANNEL_NAME.fullmatch(channel) or CHANNEL_ID.fullmatch(channel)):
            raise forms.ValidationError(
                f"“{channel}” is not a Slack channel: give a name like #leads (lowercase "
                "letters, digits, - and _) or a channel id like C0123456789."
            )
        return channel

    def clean_bot_token(self):
        token = self.cleaned_data["bot_token"].strip()
        if token and not token.startswith("xox"):
            raise forms.ValidationError("A Slack bot token starts with xoxb-.")
        return token
