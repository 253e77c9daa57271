"""Writes for reps, AI agents and pools."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from routing import cache
from routing.availability import WorkingHoursError, parse_working_hours, valid_timezone
from routing.ids import is_db_id
from routing.models import AIAgent, Pool, PoolMember, Rep, Segment, Workspace

from .errors import ActionError
from .names import check_unique, clean_name, save_unique
from .rows import locked, locked_ids

REP_FIELDS = (
    "name", "email", "slack_user_id", "crm_user_ids", "timezone", "working_hours",
    "out_of_office_until", "max_open_chats", "is_active",
)  # fmt: skip
# An out-of-office time every time zone can show (the console shows it in the viewer's):
# within hours of year 1 or 9999 some zones' local date does not exist.
OOO_YEARS = (2, 9998)
OOO_RANGE = (
    f"Give a year from {OOO_YEARS[0]} to {OOO_YEARS[1]}: a time nearer year 1 or 9999 "
    "cannot be shown in every time zone."
)


def _shown_everywhere(value: datetime) -> bool:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        year = value.astimezone(UTC).year
    except OverflowError:  # 0001-01-01T00:00 in Asia/Tokyo is before year 1 in UTC
        return False
    return OOO_YEARS[0] <= year <= OOO_YEARS[1]


def _clean_rep(data: dict) -> dict:
    errors = {}
    unknown = set(data) - set(REP_FIELDS)
    for name in unknown:
        errors[name] = ["Unknown field."]
    if "timezone" in data and not valid_timezone(data["timezone"]):
        errors["timezone"] = [f"Unknown time zone {data['timezone']!r} (use e.g. Europe/Paris)."]
    ooo = data.get("out_of_office_until")
    if isinstance(ooo, datetime) and not _shown_everywhere(ooo):
        errors["out_of_office_until"] = [OOO_RANGE]
    if "working_hours" in data:
        try:
            parse_working_hours(data["working_hours"])
        except WorkingHoursError as exc:
            errors["working_hours"] = [str(exc)]
        if data["working_hours"] is None:
            data["working_hours"] = {}
    if "email" in data:
        data["email"] = data["email"].strip().lower()
    if errors:
        raise ActionError(errors)
    return data


def _save_unique(obj, message_field: str, message: str):
    try:
        with transaction.atomic():
            if not obj._state.adding:
                locked(obj)  # deleted meanwhile: its DoesNotExist, not saved back to life
            obj.save()
            cache.touch(obj.workspace_id)
    except IntegrityError as exc:
        raise ActionError({message_field: [message]}) from exc
    return obj


def create_rep(workspace: Workspace, **data) -> Rep:
    rep = Rep(workspace=workspace, **_clean_rep(data))
    return _save_unique(rep, "email", "A rep with this email already exists in this workspace.")


def update_rep(rep: Rep, **data) -> Rep:
    for name, value in _clean_rep(data).items():
        setattr(rep, name, value)
    return _save_unique(rep, "email", "A rep with this email already exists in this workspace.")


def _refuse_if_routed_to(obj, segments, what: str) -> None:
    used = sorted({f"{s.rule.name} / {s.name}" for s in segments.select_related("rule")})
    if used:
        raise ActionError(
            {"detail": f"This {what} is an assignee in: {', '.join(used)}. Change those first."}
        )


@transaction.atomic
def delete_rep(rep: Rep) -> None:
    # First, under the rep's lock: a write pointing at the rep (a reassignment, a pool
    # member) commits before the checks and the SET_NULLs below read what points at it.
    rep = locked(rep)
    _refuse_if_routed_to(rep, Segment.objects.filter(assignee_rep=rep), "rep")
    _refuse_if_booked_with(rep)
    rep.delete()
    cache.touch(rep.workspace_id)


def _refuse_if_booked_with(rep: Rep) -> None:
    """A rep who hosts or attends an upcoming booked meeting, or is offered by a meeting
    segment's booking, cannot be deleted: the meeting would lose its owner (and its
    calendar event its way to be moved or cancelled), the booking would offer nobody.

    Meetings are read through the reverse relations calendars declares on Rep
    (owned_meetings, attended_meetings): no import of calendars (import-linter).
    """
    now = timezone.now()
    upcoming = {}
    for relation in ("owned_meetings", "attended_meetings"):
        manager = getattr(rep, relation, None)
        if manager is not None:
            for meeting in manager.filter(status="booked", end__gt=now).order_by("start")[:5]:
                upcoming[meeting.id] = meeting
    if upcoming:
        first = min(upcoming.values(), key=lambda m: m.start)
        count = len(upcoming)
        raise ActionError(
            {
                "detail": f"{rep.name} has {count} upcoming meeting{'s' if count != 1 else ''} "
                f"(the next on {first.start:%Y-%m-%d %H:%M} UTC): cancel or reassign "
                "them first, or deactivate the rep instead."
            }
        )
    offered = sorted(
        f"{s.rule.name} / {s.name}"
        for s in Segment.objects.filter(
            rule__workspace_id=rep.workspace_id, assignee_type="booking"
        )
        .select_related("rule")
        .only("name", "booking", "rule__name")
        if isinstance(s.booking, dict) and rep.id in (s.booking.get("reps") or [])
    )
    if offered:
        raise ActionError(
            {"detail": f"{rep.name} is offered by the meeting booking of: {', '.join(offered)}. "
             "Change those first, or deactivate the rep instead."}
        )  # fmt: skip


AGENT_FIELDS = ("name", "specialty", "is_active")


def _clean_agent(data: dict) -> dict:
    unknown = set(data) - set(AGENT_FIELDS)
    if unknown:
        raise ActionError({name: ["Unknown field."] for name in unknown})
    if "specialty" in data and data["specialty"] not in dict(AIAgent.SPECIALTIES):
        raise ActionError({"specialty": ["Use buying, support, hiring, partnership or auto."]})
    return data


AGENT_NAME_TAKEN = "An AI agent with this name already exists in this workspace."
POOL_NAME_TAKEN = "A pool with this name already exists in this workspace."


def _save_named(obj, model, message: str):
    """Save a pool or an AI agent whose name is unique in its workspace (any case)."""
    obj.name = clean_name(obj.name, what="An AI agent" if model is AIAgent else "A pool")

    def check():
        others = model.objects.filter(workspace_id=obj.workspace_id)
        check_unique(others, obj, "name", obj.name, message)

    check()
    save_unique(obj, {"name": [message]}, recheck=check)
    cache.touch(obj.workspace_id)
    return obj


def create_ai_agent(workspace: Workspace, **data) -> AIAgent:
    agent = AIAgent(workspace=workspace, **_clean_agent(data))
    return _save_named(agent, AIAgent, AGENT_NAME_TAKEN)


def update_ai_agent(agent: AIAgent, **data) -> AIAgent:
    for name, value in _clean_agent(data).items():
        setattr(agent, name, value)
    return _save_named(agent, AIAgent, AGENT_NAME_TAKEN)


@transaction.atomic
def delete_ai_agent(agent: AIAgent) -> None:
    agent = locked(agent)  # as delete_rep
    if agent.workspace.default_ai_agent_id == agent.id:
        raise ActionError(
            {"detail": "This is the workspace's default AI agent (the last resort); "
             "make another agent the default first."}
        )  # fmt: skip
    _refuse_if_routed_to(agent, Segment.objects.filter(assignee_agent=agent), "AI agent")
    agent.delete()
    cache.touch(agent.workspace_id)


# -- pools --------------------------------------------------------------------
def _clean_members(workspace: Workspace, members) -> list[dict]:
    if not isinstance(members, list):
        raise ActionError({"members": ["Expected a list of {rep, weight, is_paused}."]})
    rep_ids = [m.get("rep") for m in members if isinstance(m, dict)]
    if len(rep_ids) != len(members):
        raise ActionError({"members": ["Each member must be an object."]})
    bad = next((r for r in rep_ids if not is_db_id(r)), "ok")
    if bad != "ok":
        raise ActionError({"members": [f"Each member needs a rep id; got {bad!r}."]})
    if len(set(rep_ids)) != len(rep_ids):
        raise ActionError({"members": ["A rep appears more than once."]})
    # Locked (the callers are atomic), so a rep deleted meanwhile is refused here, not an
    # IntegrityError of its PoolMember at commit.
    rows = locked_ids(Rep, rep_ids).values()
    known = {rep.id: rep.name for rep in rows if rep.workspace_id == workspace.id}
    unknown = [r for r in rep_ids if r not in known]
    if unknown:
        raise ActionError({"members": [f"No rep with id {unknown[0]} in this workspace."]})
    for m in members:
        weight = m.get("weight", 1)
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 1000:
            name = known[m["rep"]]  # the person, not the id: the console shows this as is
            raise ActionError(
                {"members": [f"{name}'s weight must be a whole number from 1 to 1000."]}
            )
    return members


def _set_members(pool: Pool, members: list[dict]) -> None:
    """Replace the member list, keeping each kept member's rotation state."""
    existing = {m.rep_id: m for m in pool.members.all()}
    wanted = {m["rep"]: m for m in members}
    PoolMember.objects.filter(pool=pool).exclude(rep_id__in=list(wanted)).delete()
    for rep_id, spec in wanted.items():
        member = existing.get(rep_id) or PoolMember(pool=pool, rep_id=rep_id)
        member.weight = spec.get("weight", 1)
        member.is_paused = bool(spec.get("is_paused", False))
        member.save()


POOL_FIELDS = ("name", "strategy", "respect_working_hours")


def _apply_pool_fields(pool: Pool, data: dict) -> None:
    unknown = set(data) - set(POOL_FIELDS) - {"members"}
    if unknown:
        raise ActionError({name: ["Unknown field."] for name in unknown})
    if "strategy" in data and data["strategy"] not in dict(Pool.STRATEGIES):
        raise ActionError({"strategy": ["Use round_robin or load_balanced."]})
    for name in POOL_FIELDS:
        if name in data:
            setattr(pool, name, data[name])


@transaction.atomic
def create_pool(workspace: Workspace, **data) -> Pool:
    members = _clean_members(workspace, data.get("members", []))
    pool = Pool(workspace=workspace)
    _apply_pool_fields(pool, data)
    _save_named(pool, Pool, POOL_NAME_TAKEN)
    _set_members(pool, members)
    return pool


@transaction.atomic
def update_pool(pool: Pool, **data) -> Pool:
    pool = Pool.objects.select_for_update().get(pk=pool.pk)  # routing locks its members
    _apply_pool_fields(pool, data)
    _save_named(pool, Pool, POOL_NAME_TAKEN)
    if "members" in data:
        _set_members(pool, _clean_members(pool.workspace, data["members"]))
    return pool


@transaction.atomic
def delete_pool(pool: Pool) -> None:
    pool = locked(pool)  # as delete_rep
    _refuse_if_routed_to(pool, Segment.objects.filter(assignee_pool=pool), "pool")
    pool.delete()
    cache.touch(pool.workspace_id)
