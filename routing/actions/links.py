"""Writes for Knock Links."""

from __future__ import annotations

from routing import cache
from routing.models import KnockLink, RoutingRule, Workspace

from .errors import ActionError
from .names import check_unique, clean_name, save_unique

LINK_FIELDS = ("slug", "name", "channel", "utm_defaults", "chat_rule", "meeting_rule", "is_active")


def _clean(workspace: Workspace, data: dict) -> dict:
    errors = {}
    for name in set(data) - set(LINK_FIELDS):
        errors[name] = ["Unknown field."]
    if "slug" in data:
        data["slug"] = normalize_slug(data["slug"])
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


def normalize_slug(slug) -> str:
    """Slugs are case-insensitive: stored and looked up lower-case, trimmed."""
    return slug.strip().lower() if isinstance(slug, str) else slug


SLUG_TAKEN = "A link with this slug already exists in this workspace."
NAME_TAKEN = "A link with this name already exists in this workspace."


def _save(link: KnockLink) -> KnockLink:
    if not isinstance(link.slug, str) or not link.slug:
        raise ActionError({"slug": ["A link needs a slug."]})
    link.name = clean_name(link.name, what="A link")

    def check():
        others = KnockLink.objects.filter(workspace_id=link.workspace_id)
        check_unique(others, link, "slug", link.slug, SLUG_TAKEN)
        check_unique(others, link, "name", link.name, NAME_TAKEN)

    check()
    save_unique(link, {"slug": [SLUG_TAKEN]}, recheck=check)
    cache.touch(link.workspace_id)
    return link


def create_link(workspace: Workspace, **data) -> KnockLink:
    return _save(KnockLink(workspace=workspace, **_clean(workspace, data)))


def update_link(link: KnockLink, **data) -> KnockLink:
    for name, value in _clean(link.workspace, data).items():
        setattr(link, name, value)
    return _save(link)


def delete_link(link: KnockLink) -> None:
    link.delete()
    cache.touch(link.workspace_id)
