"""Console forms: field-level checks here, domain rules in routing.actions.

Rules, segments, links, Test a lead, reassignment and the workspace settings here; the
forms for people (reps and their working hours, pools, AI agents) in people_forms.py.
"""

from __future__ import annotations

import json

from django import forms

from routing import filters
from routing.actions import ActionError, NotFound
from routing.models import AIAgent, KnockLink, Pool, Rep, RoutingRule
from routing.slack_channels import channel_validator
from routing.timezones import ZONES

from .json_fields import refuse_bad_strings

# The people forms moved to people_forms.py; still importable from here.
from .people_forms import AddMemberForm, AIAgentForm, PoolForm, RepForm  # noqa: F401

ASSIGNEE_CHOICES = [
    ("rep", "A rep"),
    ("pool", "A pool (round robin or load balanced)"),
    ("ai_agent", "An AI agent"),
    ("crm_owner", "The lead's CRM owner"),
    ("workspace_default", "The workspace default rep"),
]
INTENT_CHOICES = [
    ("", "Auto-detect"),
    ("buying", "Buying"),
    ("support", "Support"),
    ("partnership", "Partnership"),
    ("job_seeker", "Job seeker"),
    ("unknown", "Unknown"),
]
TIMEZONES = ZONES  # IANA names, one list (routing.timezones)


def run_action(form: forms.Form, action, *args, **kwargs):
    """Call an action; on ActionError put each message on its field (or the form).

    A NotFound naming none of the form's fields (the object itself was deleted
    meanwhile) is not a form error: it is left to `console_view` (vanished.py)."""
    try:
        return action(*args, **kwargs)
    except ActionError as exc:
        if isinstance(exc, NotFound) and not set(exc.errors) & set(form.fields):
            raise
        for field, messages in exc.errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(field if field in form.fields else None, str(message))
        form.action_error = exc
        return None


def tested_version(request) -> int | str | None:
    """The version a "Test a lead" form runs: its hidden `version` ("draft" on the
    draft's page), else the live one. Anything else is the simulation's 400."""
    version = request.POST.get("version", "").strip()
    if not version:
        return None
    return int(version) if version.isdecimal() and len(version) < 19 else version


class MonitoringChannelField(forms.CharField):
    """Blank (inherit / no channel) or a Slack channel: the rule of the Slack
    settings' default channel (routing/slack_channels.py), which the actions apply too."""

    def __init__(self, **kwargs):
        super().__init__(max_length=100, required=False, validators=[channel_validator], **kwargs)


class RuleCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=RoutingRule.KINDS)


class RuleSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    monitoring_channel = MonitoringChannelField(
        help_text="Slack channel for lead alerts, e.g. #leads."
    )
    crm_owner_first = forms.BooleanField(
        required=False,
        label="CRM owner first",
        help_text="A lead that exists in the CRM goes to its owner before any segment.",
    )
    notify_crm_owner = forms.BooleanField(
        required=False,
        label="Notify the CRM owner",
        help_text="DM the lead's CRM owner with a Join button when someone else gets it.",
    )


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=200)
    conditions = forms.CharField(required=False, widget=forms.Textarea)
    assignee_type = forms.ChoiceField(choices=ASSIGNEE_CHOICES, label="Assign to")
    assignee_rep = forms.ModelChoiceField(queryset=Rep.objects.none(), required=False, label="Rep")
    assignee_pool = forms.ModelChoiceField(
        queryset=Pool.objects.none(), required=False, label="Pool"
    )
    assignee_agent = forms.ModelChoiceField(
        queryset=AIAgent.objects.none(), required=False, label="AI agent"
    )
    monitoring_channel = MonitoringChannelField(
        help_text="Overrides the rule's monitoring channel."
    )

    def __init__(self, *args, workspace, is_fallback=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_fallback = is_fallback
        self.fields["assignee_rep"].queryset = Rep.objects.filter(workspace=workspace)
        self.fields["assignee_pool"].queryset = Pool.objects.filter(workspace=workspace)
        self.fields["assignee_agent"].queryset = AIAgent.objects.filter(workspace=workspace)

    def clean_conditions(self):
        raw = (self.cleaned_data.get("conditions") or "").strip()
        if not raw:
            return {"all": []}
        try:
            tree = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"The conditions are not valid JSON: {exc.msg}.") from exc
        refuse_bad_strings(tree, "The conditions")
        return tree

    def clean(self):
        data = super().clean()
        kind = data.get("assignee_type")
        target = {"rep": "assignee_rep", "pool": "assignee_pool", "ai_agent": "assignee_agent"}
        if kind in target:
            obj = data.get(target[kind])
            if obj is None:
                self.add_error(target[kind], "Pick one.")
            else:
                data["assignee"] = {"type": kind, "id": obj.id}
        elif kind:
            data["assignee"] = {"type": kind}
        return data

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "name": data["name"],
            "assignee": data["assignee"],
            "monitoring_channel": data.get("monitoring_channel") or "",
        }
        if not self.is_fallback:
            kwargs["conditions"] = data["conditions"]
        return kwargs


class LinkForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=80, help_text="Part of the public URL.")
    channel = forms.CharField(
        max_length=100, required=False, help_text="e.g. G2, LinkedIn Ads, Events."
    )
    chat_rule = forms.ModelChoiceField(
        queryset=RoutingRule.objects.none(), required=False, empty_label="Default chat rule"
    )
    meeting_rule = forms.ModelChoiceField(
        queryset=RoutingRule.objects.none(), required=False, empty_label="Default meeting rule"
    )
    utm_source = forms.CharField(max_length=200, required=False, label="UTM source")
    utm_medium = forms.CharField(max_length=200, required=False, label="UTM medium")
    utm_campaign = forms.CharField(max_length=200, required=False, label="UTM campaign")
    utm_term = forms.CharField(max_length=200, required=False, label="UTM term")
    utm_content = forms.CharField(max_length=200, required=False, label="UTM content")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        # The default rules are the empty choice ("Default chat rule"), not listed twice.
        rules = RoutingRule.objects.filter(workspace=workspace, is_default=False).order_by("name")
        self.fields["chat_rule"].queryset = rules.filter(kind="chat")
        self.fields["meeting_rule"].queryset = rules.filter(kind="meeting")

    @classmethod
    def initial_for(cls, link: KnockLink) -> dict:
        utm = link.utm_defaults or {}
        return {
            "name": link.name,
            "slug": link.slug,
            "channel": link.channel,
            "chat_rule": link.chat_rule_id,
            "meeting_rule": link.meeting_rule_id,
            "utm_source": utm.get("source", ""),
            "utm_medium": utm.get("medium", ""),
            "utm_campaign": utm.get("campaign", ""),
            "utm_term": utm.get("term", ""),
            "utm_content": utm.get("content", ""),
            "is_active": link.is_active,
        }

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        keys = ("source", "medium", "campaign", "term", "content")
        utm = {k: d[f"utm_{k}"] for k in keys if d.get(f"utm_{k}")}
        return {
            "name": d["name"],
            "slug": d["slug"],
            "channel": d.get("channel") or "",
            "chat_rule": d["chat_rule"].id if d.get("chat_rule") else None,
            "meeting_rule": d["meeting_rule"].id if d.get("meeting_rule") else None,
            "utm_defaults": utm,
            "is_active": d.get("is_active", False),
        }


class TestLeadForm(forms.Form):
    email = forms.EmailField(required=False, initial="ana@bigco.com")
    name = forms.CharField(required=False, max_length=200)
    company_name = forms.CharField(required=False, max_length=200, label="Company")
    employees = forms.IntegerField(required=False, min_value=0, label="Employees")
    country = forms.CharField(required=False, max_length=100, label="Company country")
    link = forms.ModelChoiceField(
        queryset=KnockLink.objects.none(),
        required=False,
        empty_label="No link",
        to_field_name="slug",
    )
    intent = forms.ChoiceField(choices=INTENT_CHOICES, required=False)
    message = forms.CharField(required=False, max_length=2000)
    context_json = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Or paste a context (JSON)",
        help_text="A full routing context; when given, the fields above are ignored.",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = KnockLink.objects.filter(workspace=workspace)

    def clean(self):
        data = super().clean()
        raw = (data.get("context_json") or "").strip()
        if raw:
            try:
                context = json.loads(raw)
            except json.JSONDecodeError as exc:
                self.add_error(
                    "context_json",
                    f"This is not valid JSON: {exc.msg.lower()} at line {exc.lineno}, "
                    f"column {exc.colno}. Check the quotes and brackets there.",
                )
                return data
            if not isinstance(context, dict):
                self.add_error("context_json", "The context must be a JSON object.")
                return data
            try:
                refuse_bad_strings(context, "The context")
            except forms.ValidationError as exc:
                self.add_error("context_json", exc)
                return data
            data["context"] = context
        elif not data.get("email"):
            self.add_error("email", "Give an email, or paste a context.")
        return data

    def simulate_kwargs(self) -> dict:
        d = self.cleaned_data
        if "context" in d:
            return {"context": d["context"]}
        payload = {"lead": {"email": d["email"]}}
        if d.get("name"):
            payload["lead"]["name"] = d["name"]
        company = {
            k: v
            for k, v in {
                "name": d.get("company_name"),
                "employees": d.get("employees"),
                "country": d.get("country"),
            }.items()
            if v not in (None, "")
        }
        if company:
            payload["company"] = company
        if d.get("link"):
            payload["link"] = d["link"].slug
        if d.get("intent"):
            payload["intent"] = {"type": d["intent"]}
        if d.get("message"):
            payload["message"] = d["message"]
        return {"payload": payload}


# The decision filters are shared with the API: one definition in routing/filters.py.
DecisionFilterForm = filters.DecisionFilterForm


class ReassignForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=Rep.objects.none(), label="Reassign to")
    reason = forms.CharField(
        max_length=500,
        required=False,
        label="Reason",
        help_text="Shown in the reassignment's trace.",
    )

    def __init__(self, *args, chat, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = Rep.objects.filter(
            workspace_id=chat.workspace_id, is_active=True
        ).exclude(id=chat.rep_owner_id)


class WorkspaceSettingsForm(forms.Form):
    """Defaults, intent overrides and the auto-close; written by actions.update_workspace."""

    INTENTS = [("buying", "Buying"), ("support", "Support"), ("partnership", "Partnership"),
               ("job_seeker", "Job seeker"), ("unknown", "Unknown")]  # fmt: skip

    name = forms.CharField(max_length=200)
    default_rep = forms.ModelChoiceField(
        queryset=Rep.objects.none(),
        required=False,
        empty_label="None (the first active rep)",
        help_text="Takes a lead when no segment can (the last resort).",
    )
    default_ai_agent = forms.ModelChoiceField(
        queryset=AIAgent.objects.none(),
        label="Default AI agent",
        help_text="Takes a lead when no rep is available at all.",
    )
    auto_close_hours = forms.IntegerField(
        min_value=0,
        max_value=24 * 90,
        label="Auto-close after (hours)",
        help_text="An open chat with no activity for this long is closed. 0: never.",
    )
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in TIMEZONES],
        required=False,  # not sent: the zone stays as it is
        label="Time zone",
        help_text="The console shows times in this zone, unless a user picks their own.",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_rep"].queryset = Rep.objects.filter(workspace=workspace)
        self.fields["default_ai_agent"].queryset = AIAgent.objects.filter(workspace=workspace)
        chat_rules = RoutingRule.objects.filter(workspace=workspace, kind="chat").order_by("name")
        for intent, label in self.INTENTS:
            self.fields[f"intent_{intent}"] = forms.ModelChoiceField(
                queryset=chat_rules,
                required=False,
                label=f"Intent “{label}”",
                empty_label="No override (the link's rule)",
            )

    def intent_fields(self):
        return [self[f"intent_{intent}"] for intent, _ in self.INTENTS]

    @classmethod
    def initial_for(cls, workspace) -> dict:
        initial = {
            "name": workspace.name,
            "default_rep": workspace.default_rep_id,
            "default_ai_agent": workspace.default_ai_agent_id,
            "auto_close_hours": workspace.auto_close_hours,
            "time_zone": workspace.time_zone,
        }
        for intent, rule_id in (workspace.intent_rules or {}).items():
            initial[f"intent_{intent}"] = rule_id
        return initial

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        intents = {
            intent: d[f"intent_{intent}"].id for intent, _ in self.INTENTS if d[f"intent_{intent}"]
        }
        return {
            "name": d["name"],
            "default_rep": d["default_rep"].id if d["default_rep"] else None,
            "default_ai_agent": d["default_ai_agent"].id,
            "auto_close_hours": d["auto_close_hours"],
            "intent_rules": intents,
        } | ({"time_zone": d["time_zone"]} if d["time_zone"] else {})


class ViewerTimeZoneForm(forms.Form):
    """The zone the console shows this user's times in (routing.actions.set_viewer_time_zone)."""

    time_zone = forms.ChoiceField(
        required=False,
        label="Show times in",
        help_text="Every time in the console (feed, decisions, chats) is shown in this zone.",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", f"The workspace's zone ({workspace.time_zone})"),
            *((z, z) for z in TIMEZONES),
        ]


class AddMemberByNameForm(forms.Form):
    user = forms.CharField(
        max_length=254,
        label="Username or email",
        help_text="An existing staff user (create users in the admin).",
    )

    def clean_user(self):
        from django.contrib.auth import get_user_model

        value = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(is_active=True)
        matches = list(users.filter(username__iexact=value)) or list(
            users.filter(email__iexact=value)
        )
        if not matches:
            raise forms.ValidationError(f"No active user with the username or email {value!r}.")
        if len(matches) > 1:
            raise forms.ValidationError("Several users have this email: give the username.")
        return matches[0]
