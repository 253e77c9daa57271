"""The console's Slack settings form."""

from django import forms

from routing.slack_channels import ChannelError, clean_channel


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
        # The rule a monitoring channel follows too (routing/slack_channels.py).
        try:
            return clean_channel(self.cleaned_data["default_channel"])
        except ChannelError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_bot_token(self):
        token = self.cleaned_data["bot_token"].strip()
        if token and not token.startswith("xox"):
            raise forms.ValidationError("A Slack bot token starts with xoxb-.")
        return token
