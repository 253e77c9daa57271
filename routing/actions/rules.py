"""Every write to rules, and what segment writes share: versions (publish, the compiled
cache), the validation of conditions and assignees. Each change publishes a new rule
version. The segment writes are in segments.py."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from django.db import transaction

from routing import booking as bookings
from routing import cache, catalog, conditions, engine, versions
from routing.models import AIAgent, Pool, Rep, RoutingRule, RuleVersion, Segment, Workspace
from routing.slack_channels import ChannelError, clean_channel

from .bookings import booking_snapshots, clean_booking, clean_owner_duration
from .errors import ActionError, NotFound
from .names import check_unique, clean_name, save_unique

FALLBACK_CONDITIONS = {"all": []}
ASSIGNEE_MODELS = {"rep": Rep, "pool": Pool, "ai_agent": AIAgent}
ASSIGNEE_FIELDS = {"rep": "assignee_rep", "pool": "assignee_pool", "ai_agent": "assignee_agent"}


# -- versions -----------------------------------------------------------------
def _assignee_snapshot(segment: Segment) -> dict:
    kind = segment.assignee_type
    data: dict = {"type": kind}
    if kind in ASSIGNEE_FIELDS:
        target = getattr(segment, ASSIGNEE_FIELDS[kind])
        data.update(id=target.id, name=target.name)
    return data


def publish_version(rule: RoutingRule, *, author: str = "", note: str = "") -> RuleVersion:
    """Snapshot the rule as it is now, inside the caller's transaction.

    The caller must already hold the rule's row lock (`_locked_rule`), so two
    concurrent edits produce versions n+1 and n+2, never two n+1s. `author`
    and the diff from the previous version (prefixed by `note`) are the audit log.
    """
    segments = list(
        rule.segments.select_related("assignee_rep", "assignee_pool", "assignee_agent").order_by(
            "order"
        )
    )
    rule.version += 1
    rule.save(update_fields=["version", "updated_at"])
    booked = booking_snapshots(segments)
    snapshot = {
        "version": rule.version,
        "rule": {
            "id": rule.id,
            "name": rule.name,
            "kind": rule.kind,
            "monitoring_channel": rule.monitoring_channel,
            "crm_owner_first": rule.crm_owner_first,
            "notify_crm_owner": rule.notify_crm_owner,
            "owner_duration": rule.owner_duration,
        },
        "segments": [
            {
                "id": s.id,
                "name": s.name,
                "conditions": s.conditions,
                "assignee": _assignee_snapshot(s),
                "is_fallback": s.is_fallback,
                "monitoring_channel": s.monitoring_channel,
                **({"booking": booked[s.id]} if s.id in booked else {}),
            }
            for s in segments
        ],
    }
    previous = RuleVersion.objects.filter(rule=rule).order_by("-version").first()
    summary = versions.diff(previous.snapshot, snapshot)["summary"] if previous else "Created"
    summary = f"{note}: {summary}" if note else summary
    cache.touch(rule.workspace_id)  # the next chat of every process reads this version
    return RuleVersion.objects.create(
        rule=rule, version=rule.version, snapshot=snapshot, author=author[:200], summary=summary
    )


# Keyed by (id, created_at): an id alone can be handed out again after a
# rollback (SQLite reuses them), and a stale hit would route by another rule.
_compiled_cache: OrderedDict[tuple, engine.CompiledRule] = OrderedDict()
_cache_lock = Lock()
_CACHE_SIZE = 512


def compiled(version: RuleVersion) -> engine.CompiledRule:
    """The compiled form of a version; versions are immutable, so cache by id."""
    key = (version.id, version.created_at)
    with _cache_lock:
        hit = _compiled_cache.get(key)
        if hit is not None:
            _compiled_cache.move_to_end(key)
            return hit
    built = engine.compile_rule(version.snapshot)
    with _cache_lock:
        _compiled_cache[key] = built
        while len(_compiled_cache) > _CACHE_SIZE:
            _compiled_cache.popitem(last=False)
    return built


def current_version(rule_id: int) -> RuleVersion | None:
    return (
        RuleVersion.objects.select_related("rule")
        .filter(rule_id=rule_id)
        .order_by("-version")
        .first()
    )


def _locked_rule(rule: RoutingRule) -> RoutingRule:
    locked = RoutingRule.objects.select_for_update().filter(pk=rule.pk).first()
    if locked is None:  # deleted by a concurrent request since the caller read it
        raise NotFound({"detail": f"Rule {rule.pk} no longer exists."})
    return locked


# -- validation -------------------------------------------------------------
def clean_conditions(tree) -> dict:
    if tree is None or tree == {}:
        return dict(FALLBACK_CONDITIONS)
    try:
        conditions.validate(tree)
    except conditions.ConditionError as exc:
        raise ActionError({"conditions": [str(exc)]}, node_path=exc.path) from exc
    _check_catalog_fields(tree, "")
    return tree


def _check_catalog_fields(node, path: str) -> None:
    """A saved condition reads catalog fields only (custom.* and crm.fields.* stay open).

    Here, not in `conditions.validate`: the pure language evaluates any context;
    only what is saved for routing must name fields the context will hold. `node`
    is already valid, so it is a group or a leaf.
    """
    for kind in ("all", "any"):
        if kind in node:
            for i, child in enumerate(node[kind]):
                _check_catalog_fields(child, f"{path}.{kind}[{i}]" if path else f"{kind}[{i}]")
            return
    if "not" in node:
        _check_catalog_fields(node["not"], f"{path}.not" if path else "not")
        return
    field = node["field"]
    if catalog.is_known(field):
        return
    guess = catalog.nearest(field)
    hint = f"did you mean {guess}?" if guess else "use a catalog field, custom.* or crm.fields.*."
    message = f"{path or 'root'} ({field} {node['op']}): {field}: unknown field; {hint}"
    raise ActionError({"conditions": [message]}, node_path=path)


def clean_assignee(workspace: Workspace, assignee) -> dict:
    """{"type": ..., "id": ...} -> model field values for a Segment."""
    if not isinstance(assignee, dict):
        raise ActionError({"assignee": ['Expected an object like {"type": "rep", "id": 3}.']})
    kind = assignee.get("type")
    fields = {"assignee_type": kind, "assignee_rep": None, "assignee_pool": None}
    fields["assignee_agent"] = None
    if kind in ("crm_owner", "workspace_default"):
        return fields
    if kind not in ASSIGNEE_MODELS:
        choices = "rep, pool, ai_agent, crm_owner, workspace_default"
        raise ActionError({"assignee": [f"Unknown assignee type {kind!r}; use one of {choices}."]})
    target_id = assignee.get("id")
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        raise ActionError({"assignee": [f"An assignee of type {kind} needs an integer id."]})
    # Locked (the callers are atomic): deleted after this check, the segment's foreign
    # key would fail at commit (an IntegrityError); deleted before, this is a 400.
    target = (
        ASSIGNEE_MODELS[kind]
        .objects.select_for_update(no_key=True)
        .filter(workspace=workspace, id=target_id)
        .first()
    )
    if target is None:
        label = {"rep": "rep", "pool": "pool", "ai_agent": "AI agent"}[kind]
        raise ActionError({"assignee": [f"No {label} with id {target_id} in this workspace."]})
    fields[ASSIGNEE_FIELDS[kind]] = target
    return fields


def clean_monitoring_channel(value) -> str:
    """A rule's or a segment's monitoring channel, trimmed: blank (no channel: the
    segment inherits the rule's, the rule the workspace's) or a Slack channel,
    checked like the Slack settings' default channel (routing/slack_channels.py)."""
    try:
        return clean_channel(value)
    except ChannelError as exc:
        raise ActionError({"monitoring_channel": [str(exc)]}) from exc


def _people_fields(rule: RoutingRule, *, assignee, booking) -> dict:
    """A chat segment takes an assignee, a meeting segment a booking (SPEC 8b); never both."""
    if rule.kind == "meeting":
        if assignee is not None:
            raise ActionError(
                {"assignee": ['A meeting segment takes a "booking", not an assignee.']}
            )
        if booking is None:
            raise ActionError({"booking": ["This field is required."]})
        return clean_booking(rule.workspace, booking)
    if booking is not None:
        raise ActionError({"booking": ['A chat segment takes an "assignee", not a booking.']})
    return {**clean_assignee(rule.workspace, assignee), "booking": None}


# -- rules --------------------------------------------------------------------
RULE_SETTINGS = (
    "name", "monitoring_channel", "crm_owner_first", "notify_crm_owner", "owner_duration",
)  # fmt: skip


@transaction.atomic
def create_rule(
    workspace: Workspace, *, kind: str, is_default: bool = False, author: str = "", **settings
):
    if kind not in dict(RoutingRule.KINDS):
        raise ActionError({"kind": ["Use 'chat' or 'meeting'."]})
    unknown = set(settings) - set(RULE_SETTINGS)
    if unknown:
        raise ActionError({"detail": f"Unknown rule settings: {', '.join(sorted(unknown))}."})
    if "owner_duration" in settings:
        clean_owner_duration(settings["owner_duration"])
    if "monitoring_channel" in settings:
        settings["monitoring_channel"] = clean_monitoring_channel(settings["monitoring_channel"])
    settings["name"] = clean_name(settings.get("name"), what="A rule")
    rule = RoutingRule(workspace=workspace, kind=kind, is_default=is_default, **settings)
    _check_rule_name(rule)
    save_unique(rule, {"name": [_RULE_NAME_TAKEN.format(kind=kind)]})
    # A meeting rule's fallback is qualified from day one: it books the
    # workspace's default rep (routing/booking.py says how that resolves).
    Segment.objects.create(
        rule=rule,
        name="Fallback",
        conditions=dict(FALLBACK_CONDITIONS),
        assignee_type="booking" if kind == "meeting" else "workspace_default",
        booking=bookings.default_booking(default_rep=True) if kind == "meeting" else None,
        is_fallback=True,
    )
    publish_version(rule, author=author)
    return rule


@transaction.atomic
def update_rule(rule: RoutingRule, *, author: str = "", **changes) -> RoutingRule:
    rule = _locked_rule(rule)
    for name, value in changes.items():
        if name not in RULE_SETTINGS:
            raise ActionError({name: ["This setting cannot be changed."]})
        if name == "owner_duration":
            clean_owner_duration(value)
        if name == "name":
            value = clean_name(value, what="A rule")
        if name == "monitoring_channel":
            value = clean_monitoring_channel(value)
        setattr(rule, name, value)
    if _state(rule) == _state(RoutingRule.objects.get(pk=rule.pk)):
        return rule  # a no-op (an empty PATCH, a form saved unchanged) publishes no version
    _check_rule_name(rule)
    save_unique(rule, {"name": [_RULE_NAME_TAKEN.format(kind=rule.kind)]})
    publish_version(rule, author=author)
    return rule


_RULE_NAME_TAKEN = "A {kind} rule with this name already exists in this workspace."


def _check_rule_name(rule: RoutingRule) -> None:
    """Rule names are unique per workspace and kind, whatever their case."""
    same_kind = RoutingRule.objects.filter(workspace_id=rule.workspace_id, kind=rule.kind)
    check_unique(same_kind, rule, "name", rule.name, _RULE_NAME_TAKEN.format(kind=rule.kind))


def _state(obj) -> dict:
    """What a save would write, less the timestamps: equal states mean a no-op."""
    skip = {"updated_at", "created_at", "order"}
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in skip
    }


@transaction.atomic
def delete_rule(rule: RoutingRule) -> None:
    rule = _locked_rule(rule)
    if rule.is_default:
        raise ActionError({"detail": "The default rules cannot be deleted."})
    links = sorted(
        {link.name for link in rule.chat_links.all()}
        | {link.name for link in rule.meeting_links.all()}
    )
    if links:
        raise ActionError(
            {"detail": f"The rule is used by links: {', '.join(links)}. Detach it first."}
        )
    workspace = rule.workspace
    overrides = {k: v for k, v in workspace.intent_rules.items() if v != rule.id}
    if overrides != workspace.intent_rules:
        workspace.intent_rules = overrides
        workspace.save(update_fields=["intent_rules"])
    rule.delete()
    cache.touch(workspace)
