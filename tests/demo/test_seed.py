"""The demo's meeting funnel (seed_demo) and simulate_leads' booking mode."""

import io
import random
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from calendars.models import Availability, BusyBlock, CalendarConnection, Meeting
from demo import meetings
from demo.management.commands.seed_demo import Command as SeedDemo
from outbox.models import Delivery
from routing import booking as bookings
from routing.models import Decision, RoutingRule, Workspace

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def demo_workspace() -> Workspace:
    return Workspace.objects.get(slug="demo-co")


def state(workspace) -> dict:
    return {
        "meetings": sorted(Meeting.objects.filter(workspace=workspace).values_list("id", "status")),
        "busy": BusyBlock.objects.filter(rep__workspace=workspace).count(),
        "rules": RoutingRule.objects.filter(workspace=workspace).count(),
        "decisions": Decision.objects.filter(workspace=workspace, kind="meeting").count(),
        "availabilities": Availability.objects.filter(workspace=workspace).count(),
    }


def test_seed_builds_the_meeting_funnel_once():
    output = run("seed_demo", "--chats", "0")
    assert "Seeded the meeting funnel" in output
    workspace = demo_workspace()
    before = state(workspace)
    second = run("seed_demo", "--chats", "0")
    assert "already exists" in second and "meeting funnel" not in second
    assert state(workspace) == before


def test_the_meeting_rule_is_valid_and_on_the_demo_links():
    run("seed_demo", "--chats", "0")
    workspace = demo_workspace()
    rule = RoutingRule.objects.get(workspace=workspace, kind="meeting", name=meetings.RULE_NAME)
    segments = list(rule.segments.order_by("order"))
    logics = [s.booking["logic"] for s in segments]
    assert logics == [
        "disqualified", "all_calendars", "round_robin", "round_robin", "any_calendar",
        "single_rep",
    ]  # fmt: skip
    assert segments[-1].is_fallback and segments[-1].booking["default_rep"]
    rep_ids = set(workspace.reps.values_list("id", flat=True))
    pool_ids = set(workspace.pools.values_list("id", flat=True))
    for segment in segments:
        assert bookings.clean(segment.booking) == segment.booking  # stored in its clean form
        assert set(segment.booking["reps"]) <= rep_ids
        assert segment.booking["pool"] in pool_ids | {None}
    links = workspace.links.filter(meeting_rule=rule).values_list("slug", flat=True)
    assert sorted(links) == ["book-a-demo", "pricing-cta"]


def test_reps_have_local_calendars_with_busy_blocks_on_their_working_days():
    run("seed_demo", "--chats", "0")
    workspace = demo_workspace()
    now = timezone.now()
    for rep in workspace.reps.all():
        assert CalendarConnection.objects.get(rep=rep).backend == "local"
        blocks = list(BusyBlock.objects.filter(rep=rep))
        tz = ZoneInfo(rep.timezone)
        today = now.astimezone(tz).date()
        weekdays = {today + timedelta(days=n) for n in range(14)}
        days = {b.start.astimezone(tz).date() for b in blocks}
        assert days == {d for d in weekdays if d.weekday() < 5}, rep.name
        for block in blocks:
            local = block.start.astimezone(tz)
            assert local.weekday() < 5
            assert time(9) <= local.time() and block.end.astimezone(tz).time() <= time(18)
            assert now - timedelta(days=1) < block.start < now + timedelta(days=15)
        per_day = [sum(b.start.astimezone(tz).date() == d for b in blocks) for d in days]
        assert min(per_day) >= 2 and max(per_day) <= 4
        ordered = sorted(blocks, key=lambda b: b.start)
        assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:], strict=False))


def test_meetings_are_booked_through_the_actions_with_decisions_and_deliveries():
    run("seed_demo", "--chats", "0")
    workspace = demo_workspace()
    found = list(Meeting.objects.filter(workspace=workspace).select_related("decision"))
    statuses = [m.status for m in found]
    assert len(found) >= 12
    assert statuses.count("cancelled") >= 2 and statuses.count("no_show") >= 2
    assert statuses.count("booked") >= 8
    for meeting in found:
        decision = meeting.decision
        assert decision.kind == "meeting" and decision.rep_id == meeting.owner_id
        assert decision.trace["booking_outcome"]["owner"]["id"] == meeting.owner_id
        assert meeting.availability.qualified
        assert meeting.status != "no_show" or meeting.start <= timezone.now()
        assert Delivery.objects.filter(decision=decision).exists()
    # Several booking logics and CRM owner first are all represented.
    logics = {m.availability.logic for m in found}
    assert {"all_calendars", "round_robin", "any_calendar"} <= logics
    assert any(m.availability.via == "crm_owner" for m in found)
    group = next(m for m in found if m.availability.logic == "all_calendars")
    assert group.reps.count() == 2


def test_a_demo_seeded_before_meetings_gets_them_on_the_next_run():
    SeedDemo()._build(random.Random(7))  # the demo as seed_demo built it before
    workspace = demo_workspace()
    assert not Meeting.objects.filter(workspace=workspace).exists()
    output = run("seed_demo", "--chats", "0")
    assert "already exists" in output and "Seeded the meeting funnel" in output
    assert Meeting.objects.filter(workspace=workspace).count() >= 12


def test_simulate_leads_direct_books_meetings():
    run("seed_demo", "--chats", "0")
    workspace = demo_workspace()
    meetings_before = Meeting.objects.filter(workspace=workspace).count()
    chats_before = workspace.chats.count()
    output = run(
        "simulate_leads", "--direct", "--rate", "1000/s", "--count", "8", "--meetings", "1",
        "--seed", "4",
    )  # fmt: skip
    assert output.count("->") == 8 and workspace.chats.count() == chats_before
    booked = output.count("-> meeting with ")
    assert booked >= 4 and booked + output.count("-> no meeting") == 8
    new = Meeting.objects.filter(workspace=workspace).order_by("id")[meetings_before:]
    assert len(new) == booked
    for meeting in new:
        assert meeting.decision.kind == "meeting"
        assert f"-> meeting with {meeting.owner.name} " in output


def test_simulate_leads_mixes_chats_and_meetings():
    run("seed_demo", "--chats", "0")
    workspace = demo_workspace()
    output = run(
        "simulate_leads", "--direct", "--rate", "1000/s", "--count", "20", "--meetings", "0.5",
        "--seed", "2",
    )  # fmt: skip
    asked = output.count("-> meeting with ") + output.count("-> no meeting")
    assert 0 < asked < 20 and workspace.chats.count() == 20 - asked


def test_simulate_leads_refuses_a_share_outside_zero_to_one():
    run("seed_demo", "--chats", "0")
    with pytest.raises(CommandError, match="--meetings"):
        run("simulate_leads", "--direct", "--meetings", "1.5")


def test_simulate_leads_books_meetings_over_the_api(live_server):
    run("seed_demo", "--chats", "0")
    workspace = demo_workspace()
    before = Meeting.objects.filter(workspace=workspace).count()
    output = run(
        "simulate_leads", "--url", live_server.url, "--rate", "1000/s", "--count", "4",
        "--meetings", "1", "--seed", "4",
    )  # fmt: skip
    booked = output.count("-> meeting with ")
    assert booked >= 2 and booked + output.count("-> no meeting") == 4
    assert Meeting.objects.filter(workspace=workspace).count() == before + booked
