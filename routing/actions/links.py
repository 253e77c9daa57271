"""Writes for Knock Links."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from routing.models import KnockLink, RoutingRule, Workspace

from .errors import ActionError

LINK_FIELDS = ("slug", "name", "channel", "utm_defaults", "chat_rule", "meeting_rule", "is_active")


def _clean(workspace: Workspace, data: dict) -> dict:
    errors = {}
    for name in set(data) - set(LINK_FIELDS):
        errors[name] = ["Unknown field."]
    for field, kind in (("chat_rule", "chat"), ("meeting_rule", "meeting")):
        if data.get(field) is None:
            continue
        rule_id = data[field].id if isinstance(data[field], RoutingRule) else data[field]
        rule = RoutingRule.objects.filter(workspace=workspace, id=rule_id).first()
        if rule is None:
            errors[field] = [f"No rule with id {rule_id} in this workspace."]
        elif rule.kind != kind:
            errors[field] = [f"Rule {rule.name!r} is a {rule.kind} rule, not a {kind} rule."]
        else:
            data[field] = rule
    utm = data.get("utm_defaults")
    if utm is not None and (
        not isinstance(utm, dict)
        or set(utm) - {"source", "medium", "campaign", "term", "content"}
        or not all(isinstance(v, str) for v in utm.values())
    ):
        errors["utm_defaults"] = ["Only string source, medium, campaign, term, content."]
    if errors:
        raise ActionError(errors)
    return data


def _save(link: KnockLink) -> KnockLink:
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as exc:
        raise ActionError({"slug": ["A link with this slug already exists."]}) from exc
    return link


def create_link(workspace: Workspace, **data) -> KnockLink:
    return _save(KnockLink(workspace=workspace, **_clean(workspace, data)))


def update_link(link: KnockLink, **data) -> KnockLink:
    for name, value in _clean(link.workspace, data).items():
        setattr(link, name, value)
    return _save(link)


def delete_link(link: KnockLink) -> None:
    link.delete()
