"""Google Calendar at the HTTP level: googleapiclient's HttpMockSequence answers with
Google's real shapes (free/busy with per-calendar errors, an inserted event with its
conferenceData and hangoutLink, 409 duplicate, 403 rateLimitExceeded, 500), under the
real google-auth service-account credentials and the real client."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httplib2
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpMockSequence

from calendars import google_client, google_events
from calendars.backends.base import CalendarError, CalendarRef
from calendars.backends.google import GoogleCalendar, windows
from calendars.models import CalendarConnection, Meeting
from outbox import runner
from outbox.models import Delivery
from tests.fakes.google_calendar import rsa_key_pem

from .conftest import tomorrow
from .google_support import fresh_google_state, local_meeting_moved_to_google  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = ({"status": "200"}, json.dumps({"access_token": "ya29.a0", "expires_in": 3599}))
ACCOUNT = {
    "type": "service_account",
    "project_id": "knock-test",
    "private_key_id": "abc123",
    "client_email": "knock@knock-test.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token",
}


def google_error(status: int, reason: str, message: str, domain="global") -> tuple:
    body = {
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }
    return {"status": str(status)}, json.dumps(body)


RATE_LIMITED = google_error(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits")
BACKEND_ERROR = google_error(500, "backendError", "Backend Error")
DUPLICATE = google_error(409, "duplicate", "The requested identifier already exists.")
NOT_FOUND = google_error(404, "notFound", "Not Found")


@pytest.fixture
def wire(settings, tmp_path, monkeypatch):
    """Script the HTTP answers: wire(answer, ...) -> the HttpMockSequence (its
    request_sequence records what was sent)."""
    path = tmp_path / "key.json"
    path.write_text(json.dumps({**ACCOUNT, "private_key": rsa_key_pem()}))
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(path)
    settings.GOOGLE_CALENDAR_API_ENDPOINT = ""
    mocks = []

    def script(*answers):
        mock = HttpMockSequence(list(answers))
        mocks.append(mock)
        monkeypatch.setattr(google_client, "new_http", lambda timeout: mock)
        return mock

    return script


def freebusy_body(mock, n: int) -> dict:
    return json.loads(mock.request_sequence[n][2])


def refs(n: int, workspace_id: int) -> list[CalendarRef]:
    return [CalendarRef(i, "", f"rep{i}@acme.test", workspace_id) for i in range(1, n + 1)]


def test_freebusy_per_calendar_errors_make_reps_unavailable(wire, workspace):
    answer = {
        "kind": "calendar#freeBusy",
        "timeMin": "2030-01-07T00:00:00.000Z",
        "timeMax": "2030-01-08T00:00:00.000Z",
        "calendars": {
            "rep1@acme.test": {
                "busy": [{"start": "2030-01-07T10:00:00Z", "end": "2030-01-07T11:30:00Z"}]
            },
            "rep2@acme.test": {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []},
            "rep3@acme.test": {"errors": [{"domain": "global", "reason": "internalError"}]},
        },
    }
    mock = wire(TOKEN, ({"status": "200"}, json.dumps(answer)))
    backend = GoogleCalendar()
    backend.prepare(refs(4, workspace.id), live=False)
    start = datetime(2030, 1, 7, tzinfo=UTC)
    found = backend.busy(refs(4, workspace.id), start, start + timedelta(days=1))

    assert found[1] == [
        (datetime(2030, 1, 7, 10, tzinfo=UTC), datetime(2030, 1, 7, 11, 30, tzinfo=UTC))
    ]
    assert isinstance(found[2], CalendarError) and found[2].code == "notFound"
    assert str(found[2]) == "Google Calendar rep2@acme.test: notFound"
    assert isinstance(found[3], CalendarError) and "internalError" in str(found[3])
    assert isinstance(found[4], CalendarError) and "missing from Google's answer" in str(found[4])
    token_uri, method, token_body, _ = mock.request_sequence[0]
    assert token_uri == ACCOUNT["token_uri"] and method == "POST"
    assert b"jwt-bearer" in token_body
    uri, method, _, headers = mock.request_sequence[1]
    assert uri.startswith("https://www.googleapis.com/calendar/v3/freeBusy") and method == "POST"
    assert headers["authorization"] == "Bearer ya29.a0"
    body = freebusy_body(mock, 1)
    assert [i["id"] for i in body["items"]] == [f"rep{i}@acme.test" for i in range(1, 5)]
    assert body["timeMin"] == "2030-01-07T00:00:00Z" and body["timeZone"] == "UTC"


def test_more_than_fifty_calendars_take_several_requests(wire, workspace):
    def answer(ids):
        return {"status": "200"}, json.dumps({"calendars": {i: {"busy": []} for i in ids}})

    ids = [f"rep{i}@acme.test" for i in range(1, 121)]
    mock = wire(TOKEN, answer(ids[:50]), answer(ids[50:100]), answer(ids[100:]))
    backend = GoogleCalendar()
    start = datetime(2030, 1, 7, tzinfo=UTC)
    found = backend.busy(refs(120, workspace.id), start, start + timedelta(days=1))
    assert found == {i: [] for i in range(1, 121)}
    sizes = [len(freebusy_body(mock, n)["items"]) for n in (1, 2, 3)]
    assert sizes == [50, 50, 20]
    assert len(mock.request_sequence) == 4  # one token for all three requests


def test_long_windows_are_split_to_ninety_days(wire, workspace):
    start = datetime(2030, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=200)
    assert windows(start, end) == [
        (start, start + timedelta(days=90)),
        (start + timedelta(days=90), start + timedelta(days=180)),
        (start + timedelta(days=180), end),
    ]
    late = {"start": "2030-07-01T09:00:00Z", "end": "2030-07-01T10:00:00Z"}
    mock = wire(
        TOKEN,
        ({"status": "200"}, json.dumps({"calendars": {"rep1@acme.test": {"busy": []}}})),
        ({"status": "200"}, json.dumps({"calendars": {"rep1@acme.test": {"busy": [late]}}})),
        ({"status": "200"}, json.dumps({"calendars": {"rep1@acme.test": {"busy": []}}})),
    )
    found = GoogleCalendar().busy(refs(1, workspace.id), start, end)
    assert found[1] == [(datetime(2030, 7, 1, 9, tzinfo=UTC), datetime(2030, 7, 1, 10, tzinfo=UTC))]
    spans = [freebusy_body(mock, n) for n in (1, 2, 3)]
    assert [(s["timeMin"], s["timeMax"]) for s in spans] == [
        ("2030-01-01T00:00:00Z", "2030-04-01T00:00:00Z"),
        ("2030-04-01T00:00:00Z", "2030-06-30T00:00:00Z"),
        ("2030-06-30T00:00:00Z", "2030-07-20T00:00:00Z"),
    ]


@pytest.mark.parametrize("answer", [RATE_LIMITED, BACKEND_ERROR])
def test_a_failed_freebusy_request_makes_its_reps_unavailable(wire, workspace, answer):
    wire(TOKEN, answer)
    start = datetime(2030, 1, 7, tzinfo=UTC)
    found = GoogleCalendar().busy(refs(2, workspace.id), start, start + timedelta(days=1))
    assert all(isinstance(v, CalendarError) for v in found.values())
    status = answer[0]["status"]
    assert str(found[1]).startswith(f"Google Calendar {status}")


def http_error(answer) -> HttpError:
    headers, body = answer
    return HttpError(httplib2.Response(headers), body.encode(), uri="https://x")


@pytest.mark.parametrize(
    ("answer", "retryable"),
    [
        (RATE_LIMITED, True),
        (google_error(403, "userRateLimitExceeded", "User Rate Limit Exceeded"), True),
        (google_error(429, "rateLimitExceeded", "Too Many Requests"), True),
        (BACKEND_ERROR, True),
        (google_error(503, "backendError", "Service unavailable"), True),
        (google_error(401, "authError", "Invalid Credentials"), False),
        (NOT_FOUND, False),
        (google_error(400, "invalid", "Invalid attendee email."), False),
        (google_error(403, "forbiddenForServiceAccounts", "Service accounts cannot invite"), False),
    ],
)
def test_errors_are_classified(answer, retryable):
    error = google_client.classify(http_error(answer))
    assert error.retryable is retryable
    assert error.status == int(answer[0]["status"])
    assert error.reason == json.loads(answer[1])["error"]["errors"][0]["reason"]
    assert google_client.classify(TimeoutError("timed out")).retryable is True


def test_retry_after_is_read():
    headers, body = google_error(429, "rateLimitExceeded", "Too Many Requests")
    error = google_client.classify(http_error(({**headers, "retry-after": "30"}, body)))
    assert error.retry_after == 30.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"type": "service_account"}), "Missing in the key file: client_email"),
        (
            json.dumps({**ACCOUNT, "type": "authorized_user", "private_key": "x"}),
            '"type" is',
        ),
        (json.dumps({**ACCOUNT, "private_key": "-----BEGIN PRIVATE KEY-----\nnope"}), "key"),
    ],
)
def test_bad_service_accounts_are_refused(text, message):
    with pytest.raises(google_client.InvalidServiceAccount, match=message):
        google_client.parse_service_account(text)


# -- events ----------------------------------------------------------------------------
@pytest.fixture
def meeting(api, rep_factory, with_booking):
    ann = rep_factory("Ann")
    with_booking(logic="single_rep", reps=[ann.id])
    return local_meeting_moved_to_google(api, ann)


def inserted(event_id: str, calendar_id: str) -> dict:
    """Google's answer to events.insert with conferenceDataVersion=1 (Meet requested)."""
    return {
        "kind": "calendar#event",
        "etag": '"3412345678901234"',
        "id": event_id,
        "status": "confirmed",
        "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
        "created": "2030-01-06T12:00:00.000Z",
        "updated": "2030-01-06T12:00:00.123Z",
        "summary": "Lead / Ann",
        "creator": {"email": calendar_id, "self": True},
        "organizer": {"email": calendar_id, "self": True},
        "start": {"dateTime": "2030-01-07T09:00:00Z", "timeZone": "UTC"},
        "end": {"dateTime": "2030-01-07T09:30:00Z", "timeZone": "UTC"},
        "iCalUID": f"{event_id}@google.com",
        "sequence": 0,
        "hangoutLink": "https://meet.google.com/kno-ckro-ute",
        "conferenceData": {
            "createRequest": {
                "requestId": "7d1f",
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": "success"},
            },
            "entryPoints": [
                {
                    "entryPointType": "video",
                    "uri": "https://meet.google.com/kno-ckro-ute",
                    "label": "meet.google.com/kno-ckro-ute",
                }
            ],
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
            "conferenceId": "kno-ckro-ute",
        },
        "reminders": {"useDefault": True},
        "eventType": "default",
    }


def insert_delivery(meeting) -> Delivery:
    return Delivery.objects.get(key=f"meeting:{meeting.pk}:calendar.insert")


def test_event_ids_are_base32hex_and_stable(meeting):
    event_id = google_events.event_id_for(meeting)
    assert re.fullmatch(r"[a-v0-9]{5,1024}", event_id)
    assert (
        event_id.startswith(f"knock{meeting.pk}") and len(event_id) == 5 + len(str(meeting.pk)) + 16
    )
    assert google_events.event_id_for(meeting) == event_id
    other = Meeting(pk=meeting.pk + 1, workspace_id=meeting.workspace_id)
    assert google_events.event_id_for(other) != event_id


def test_insert_sends_attendees_meet_and_our_id(wire, meeting):
    delivery = insert_delivery(meeting)
    event_id, calendar_id = delivery.target["event_id"], delivery.target["calendar_id"]
    mock = wire(TOKEN, ({"status": "200"}, json.dumps(inserted(event_id, calendar_id))))
    runner.run(delivery.id)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.DONE, delivery.last_error
    uri, method, body, _ = mock.request_sequence[1]
    url = urlsplit(uri)
    assert method == "POST"
    assert url.path == f"/calendar/v3/calendars/{calendar_id.replace('@', '%40')}/events"
    query = parse_qs(url.query)
    assert query["conferenceDataVersion"] == ["1"] and query["sendUpdates"] == ["all"]
    sent = json.loads(body)
    assert sent["id"] == event_id == meeting.calendar_event_ids[str(meeting.owner_id)]
    assert [a["email"] for a in sent["attendees"]] == ["lead@bigco.com", calendar_id]
    request = sent["conferenceData"]["createRequest"]
    assert request["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
    assert request["requestId"] == delivery.payload["conference_request_id"]
    assert sent["start"]["dateTime"] == meeting.start.isoformat()
    meeting.refresh_from_db()
    assert meeting.meet_link == "https://meet.google.com/kno-ckro-ute"
    assert meeting.calendar_link.startswith("https://www.google.com/calendar/event?eid=")
    assert delivery.result["conference"] == "success"


def test_a_duplicate_insert_is_success(wire, meeting):
    """The first attempt reached Google but its answer was lost: 409, then read it."""
    delivery = insert_delivery(meeting)
    event_id, calendar_id = delivery.target["event_id"], delivery.target["calendar_id"]
    mock = wire(TOKEN, DUPLICATE, ({"status": "200"}, json.dumps(inserted(event_id, calendar_id))))
    runner.run(delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.DONE and delivery.result["duplicate"] is True
    assert mock.request_sequence[2][1] == "GET"
    assert Meeting.objects.get(pk=meeting.pk).meet_link == "https://meet.google.com/kno-ckro-ute"


@pytest.mark.parametrize("answer", [RATE_LIMITED, BACKEND_ERROR])
def test_rate_limits_and_5xx_are_retried(wire, meeting, answer):
    delivery = insert_delivery(meeting)
    wire(TOKEN, answer)
    runner.run(delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    assert json.loads(answer[1])["error"]["errors"][0]["reason"] in delivery.last_error
    connection = CalendarConnection.objects.get(rep=meeting.owner)
    assert connection.last_error == ""  # a retried error is not the rep's calendar's fault


def test_validation_errors_are_permanent_and_shown(wire, meeting):
    delivery = insert_delivery(meeting)
    wire(TOKEN, google_error(400, "invalid", "Invalid attendee email."))
    runner.run(delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.FAILED and delivery.attempts == 1
    assert "400 invalid" in delivery.last_error
    connection = CalendarConnection.objects.get(rep=meeting.owner)
    assert "Invalid attendee email" in connection.last_error and connection.last_error_at


def test_an_insert_after_a_cancel_writes_nothing(wire, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status="cancelled")
    mock = wire()  # any HTTP call would fail: the sequence is empty
    delivery = runner.run(insert_delivery(meeting).id)
    assert delivery.status == Delivery.DONE and "skipped" in delivery.result
    assert mock.request_sequence == []


def plan(event: str, meeting) -> Delivery:
    from django.db import transaction

    with transaction.atomic():
        google_events.plan(event, meeting=meeting, decision=meeting.decision)
    return Delivery.objects.filter(kind__startswith="calendar.").order_by("-id").first()


@pytest.mark.parametrize("answer", [NOT_FOUND, google_error(410, "deleted", "Resource deleted")])
def test_deleting_a_gone_event_is_success(wire, meeting, answer):
    delivery = plan("meeting.cancelled", meeting)
    assert delivery.kind == "calendar.delete"
    mock = wire(TOKEN, answer)
    runner.run(delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.DONE and delivery.result["already_gone"] is True
    uri, method, _, _ = mock.request_sequence[1]
    assert method == "DELETE" and uri.split("?")[0].endswith(delivery.target["event_id"])
    assert "sendUpdates=all" in uri


def test_a_patch_moves_the_event(wire, meeting):
    meeting.start, meeting.end = tomorrow(11), tomorrow(11, 30)
    meeting.save(update_fields=["start", "end"])
    delivery = plan("meeting.rescheduled", meeting)
    event = inserted(delivery.target["event_id"], delivery.target["calendar_id"])
    mock = wire(TOKEN, ({"status": "200"}, json.dumps(event)))
    runner.run(delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.DONE, delivery.last_error
    uri, method, body, _ = mock.request_sequence[1]
    assert method == "PATCH" and "sendUpdates=all" in uri
    assert json.loads(body)["start"]["dateTime"] == tomorrow(11).isoformat()


def test_a_patch_before_the_insert_defers_to_it(wire, meeting):
    delivery = plan("meeting.rescheduled", meeting)
    wire(TOKEN, NOT_FOUND)
    runner.run(delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.DONE and "deferred" in delivery.result


def test_a_patch_of_a_missing_event_is_permanent_once_inserted(wire, meeting):
    Delivery.objects.filter(pk=insert_delivery(meeting).pk).update(status=Delivery.DONE)
    delivery = plan("meeting.rescheduled", meeting)
    wire(TOKEN, NOT_FOUND)
    runner.run(delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.FAILED and "404 notFound" in delivery.last_error


def test_local_meetings_plan_no_google_delivery(api, rep_factory, with_booking):
    from .conftest import ask, book

    ann = rep_factory("Ann")
    with_booking(logic="single_rep", reps=[ann.id])
    offer = ask(api).json()
    made = book(api, offer["id"], offer["slots"][0]["start"]).json()
    assert made["calendar"]["event_id"] == f"knock-meeting-{made['id']}"
    assert not Delivery.objects.filter(kind__startswith="calendar.").exists()


@pytest.mark.parametrize(
    "body",
    [
        "<html>502 Bad Gateway</html>",
        '{"error": "invalid_request"}',
        '{"error": {"errors": "odd"}}',
        '{"error": {"errors": []}}',
        "[]",
    ],
)
def test_odd_error_bodies_are_still_classified(body):
    error = google_client.classify(http_error(({"status": "502"}, body)))
    assert error.status == 502 and error.retryable is True
    assert str(error).startswith("Google Calendar 502")
