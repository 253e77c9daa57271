"""SPEC 5a side effects in Slack: a booking posts in the rule's monitoring channel and
DMs the owner; a move, cancel or no-show replies in the booking post's thread and DMs
the owner again. Through the API, the real worker and FakeSlack (or the local outbox)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calendars.models import Meeting
from outbox import runner
from outbox.models import Delivery
from routing import actions
from tests.calendars.conftest import (  # noqa: F401 - fixtures
    MEETINGS,
    ask,
    book,
    meeting_rule,
    rep_factory,
    with_booking,
)

from .conftest import run_tasks, time_passes, user_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(rep_factory, with_booking, meeting_rule):  # noqa: F811
    """Dana (Slack U1, Berlin) owns every meeting of the rule, which alerts #leads."""
    dana = rep_factory("Dana", slack_user_id=user_id(1), timezone="Europe/Berlin")
    with_booking(logic="single_rep", reps=[dana.id])
    actions.update_rule(meeting_rule, monitoring_channel="#leads")
    return dana


def booked(api, email="lee@bigco.com", slot=0):
    offer = ask(api, email=email).json()
    made = book(api, offer["id"], offer["slots"][slot]["start"])
    assert made.status_code == 201, made.json()
    return Meeting.objects.get(pk=made.json()["id"]), offer


def of(meeting):
    return list(Delivery.objects.filter(decision=meeting.decision).order_by("id"))


def test_a_booking_plans_a_channel_post_and_an_owner_dm_in_its_transaction(api, slack, dana):
    meeting, _ = booked(api)
    alert, dm = of(meeting)
    assert (alert.kind, alert.key, alert.target, alert.backend) == (
        "slack.meeting",
        f"meeting:{meeting.id}:booked:alert",
        {"channel": "#leads"},
        "slack",
    )
    assert (dm.kind, dm.key, dm.target) == (
        "slack.rep_dm",
        f"meeting:{meeting.id}:booked:dm",
        {"user": user_id(1), "rep": dana.id},
    )
    assert alert.status == dm.status == "pending"  # their tasks committed with the meeting


def test_a_409_or_a_400_plans_nothing(api, slack, dana):
    offer, second = ask(api).json(), ask(api, email="kim@bigco.com").json()
    start = offer["slots"][0]["start"]
    assert book(api, offer["id"], start).status_code == 201
    before = Delivery.objects.count()
    assert book(api, second["id"], start).status_code == 409  # Dana is taken now
    assert book(api, second["id"], "2031-01-01T09:00:00+00:00").status_code == 400
    assert book(api, offer["id"], offer["slots"][1]["start"]).status_code == 400  # booked
    assert Delivery.objects.count() == before


def test_running_them_reaches_slack_with_the_meeting(api, slack, dana):
    meeting, _ = booked(api)
    assert run_tasks() == 1  # the booking's deliveries run as one task (outbox.runner.batch)
    [post] = slack.messages_in("C0LEADS01")
    berlin = meeting.start.astimezone(ZoneInfo("Europe/Berlin"))
    # On the owner's clock (Berlin is UTC+1 or +2), with the zone named.
    assert post["text"] == (
        f"Meeting booked: lee@bigco.com with Dana, {berlin:%a} {berlin.day} "
        f"{berlin:%b %Y, %H:%M %Z} (Europe/Berlin)"
    )
    fields = " ".join(f["text"] for f in post["blocks"][1]["fields"])
    for shown in ("lee@bigco.com", "30 min", "Dana", "Fallback · Demo requests v"):
        assert shown in fields
    assert f"/decisions/{meeting.decision_id}/" in post["blocks"][-1]["elements"][0]["text"]
    [dm] = slack.messages_in("D000000001")
    assert dm["text"].startswith("You have a new meeting: lee@bigco.com, ")
    assert {d.status for d in of(meeting)} == {"done"}


def test_cancel_and_no_show_reply_in_the_booking_thread_and_dm_the_owner(api, slack, dana):
    meeting, _ = booked(api)
    run_tasks()
    [post] = slack.messages_in("C0LEADS01")
    response = api.post(f"{MEETINGS}{meeting.id}/cancel/", {"reason": "Sick"}, format="json")
    assert response.status_code == 200
    api.post(f"{MEETINGS}{meeting.id}/cancel/")  # a retried cancel sends nothing more
    assert run_tasks() == 2
    reply = slack.messages_in("C0LEADS01")[-1]
    assert reply["thread_ts"] == post["ts"]
    assert reply["text"].startswith("Meeting cancelled: lee@bigco.com with Dana")
    assert "Sick" in str(reply["blocks"])
    assert slack.messages_in("D000000001")[-1]["text"].startswith(
        "Your meeting with lee@bigco.com on "
    )
    keys = [d.key for d in of(meeting)]
    assert keys[2:] == [
        f"meeting:{meeting.id}:cancelled:alert",
        f"meeting:{meeting.id}:cancelled:dm",
    ]

    other, _ = booked(api, email="kim@bigco.com", slot=1)
    Meeting.objects.filter(pk=other.pk).update(
        start=timezone.now() - timedelta(hours=1), end=timezone.now() - timedelta(minutes=30)
    )
    assert api.post(f"{MEETINGS}{other.id}/no-show/").status_code == 200
    run_tasks()
    no_show = slack.messages_in("C0LEADS01")[-1]
    assert no_show["text"].startswith("No-show: kim@bigco.com missed the meeting with Dana")
    assert no_show["thread_ts"] == slack.messages_in("C0LEADS01")[2]["ts"]  # kim's booking


def test_each_reschedule_is_its_own_update(api, slack, dana):
    meeting, offer = booked(api)
    run_tasks()
    for slot in (2, 3):
        moved = api.post(
            f"{MEETINGS}{meeting.id}/reschedule/", {"start": offer["slots"][slot]["start"]},
            format="json",
        )  # fmt: skip
        assert moved.status_code == 200, moved.json()
    run_tasks()
    replies = [m for m in slack.messages_in("C0LEADS01") if m.get("thread_ts", m["ts"]) != m["ts"]]
    assert len(replies) == 2 and all(r["text"].startswith("Meeting moved: ") for r in replies)
    # Moving it to where it is changes nothing and sends nothing.
    count = Delivery.objects.count()
    same = api.post(
        f"{MEETINGS}{meeting.id}/reschedule/", {"start": offer["slots"][3]["start"]}, format="json"
    )
    assert same.status_code == 200 and Delivery.objects.count() == count


def test_an_update_waits_for_the_booking_post_then_threads(api, slack, dana):
    meeting, _ = booked(api)
    slack.fail_next("chat.postMessage", status=500)  # the booking post fails once
    api.post(f"{MEETINGS}{meeting.id}/cancel/")
    run_tasks()
    update = Delivery.objects.get(key=f"meeting:{meeting.id}:cancelled:alert")
    assert update.status == "pending" and "waiting for the booking" in update.last_error
    for _ in range(3):
        time_passes()
        run_tasks()
    post, reply = slack.messages_in("C0LEADS01")
    assert reply["thread_ts"] == post["ts"] and reply["text"].startswith("Meeting cancelled")


def test_a_retried_thread_reply_posts_once(api, slack, dana, monkeypatch):
    meeting, _ = booked(api)
    run_tasks()
    api.post(f"{MEETINGS}{meeting.id}/cancel/")
    update = Delivery.objects.get(key=f"meeting:{meeting.id}:cancelled:alert")
    real_done = runner._done

    def dies(delivery, result):  # the worker dies after Slack answered
        if delivery.id == update.id:
            raise KeyboardInterrupt
        return real_done(delivery, result)

    monkeypatch.setattr(runner, "_done", dies)
    with pytest.raises(KeyboardInterrupt):
        runner.run(update.id)
    monkeypatch.setattr(runner, "_done", real_done)
    Delivery.objects.filter(id=update.id).update(
        status="pending", updated_at=timezone.now() - timedelta(minutes=10)
    )
    runner.run(update.id)
    update.refresh_from_db()
    assert update.status == "done" and update.result["recovered"] is True
    replies = [
        m for m in slack.messages_in("C0LEADS01") if m["text"].startswith("Meeting cancelled")
    ]
    assert len(replies) == 1 and slack.calls_to("conversations.replies")


def test_without_a_token_everything_goes_to_the_local_outbox(api, local, dana):
    meeting, _ = booked(api)
    api.post(f"{MEETINGS}{meeting.id}/cancel/")
    made = of(meeting)
    assert [(d.kind, d.backend, d.status) for d in made] == [
        ("slack.meeting", "local", "done"),
        ("slack.rep_dm", "local", "done"),
    ] * 2
    assert made[0].payload["text"].startswith("Meeting booked: lee@bigco.com with Dana")
    assert run_tasks() == 0 and local.calls == []


def test_the_channel_comes_from_the_segment_then_the_rule_then_the_workspace(
    api,
    local,
    dana,
    meeting_rule,  # noqa: F811
):
    from notifications.models import SlackSettings

    actions.update_rule(meeting_rule, monitoring_channel="")
    meeting, _ = booked(api)
    assert [d.kind for d in of(meeting)] == ["slack.rep_dm"]  # no channel anywhere
    SlackSettings.objects.create(workspace=meeting.workspace, default_channel="#all-leads")
    fallback = meeting_rule.segments.get(is_fallback=True)
    second, _ = booked(api, email="kim@bigco.com", slot=1)
    assert of(second)[0].target == {"channel": "#all-leads"}
    actions.update_segment(fallback, monitoring_channel="#vip-leads")
    third, _ = booked(api, email="ola@bigco.com", slot=2)
    assert of(third)[0].target == {"channel": "#vip-leads"}
