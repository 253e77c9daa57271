"""A rep's calendar page: connection and its status, local busy blocks (add, delete)."""

# ruff: noqa: F811 - the fixtures imported from console_support are test arguments

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from calendars import actions as calendars
from calendars.models import BusyBlock, CalendarConnection
from routing import actions

from .conftest import tomorrow
from .console_support import console, globex, w  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(workspace):
    return actions.create_rep(
        workspace, name="Dana", email="dana@acme.test", timezone="Europe/Berlin"
    )


def test_page_links_and_defaults(workspace, console, dana):
    reps = console.get(w(workspace, "reps/")).content.decode()
    assert f"/w/{workspace.id}/reps/{dana.id}/calendar/" in reps
    edit = console.get(w(workspace, f"reps/{dana.id}/")).content.decode()
    assert f"/w/{workspace.id}/reps/{dana.id}/calendar/" in edit
    page = console.get(w(workspace, f"reps/{dana.id}/calendar/"))
    assert page.status_code == 200
    assert page.context["calendar_form"].initial["backend"] == "local"
    assert "Europe/Berlin" in page.content.decode()


def test_set_the_connection(workspace, console, dana):
    response = console.post(
        w(workspace, f"reps/{dana.id}/calendar/"),
        {"backend": "google", "calendar_id": "dana@acme.com"},
    )
    assert response.status_code == 302
    connection = CalendarConnection.objects.get(rep=dana)
    assert (connection.backend, connection.calendar_id) == ("google", "dana@acme.com")


def test_last_error_is_shown(workspace, console, dana):
    connection = calendars.set_calendar(dana, {"backend": "google"})
    connection.last_error = "notFound: the calendar does not exist"
    connection.last_error_at = datetime(2030, 1, 7, 9, 30, tzinfo=UTC)
    connection.save()
    html = console.get(w(workspace, f"reps/{dana.id}/calendar/")).content.decode()
    assert "notFound: the calendar does not exist" in html and "Jan 7, 2030" in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"backend": "outlook"}, "backend"),
        ({"backend": "google", "calendar_id": "x" * 255}, "calendar_id"),
    ],
)
def test_bad_connection_writes_nothing(workspace, console, dana, data, field):
    response = console.post(w(workspace, f"reps/{dana.id}/calendar/"), data)
    assert response.status_code == 400
    assert field in response.context["calendar_form"].errors
    assert not CalendarConnection.objects.filter(rep=dana).exists()


def test_add_and_delete_a_busy_block_on_the_reps_clock(workspace, console, dana):
    day = tomorrow(0).date()
    response = console.post(
        w(workspace, f"reps/{dana.id}/calendar/busy/"),
        {"start": f"{day}T10:00", "end": f"{day}T11:30", "title": "Team sync"},
    )
    assert response.status_code == 302
    block = BusyBlock.objects.get(rep=dana)
    local = block.start.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (10, 0) and block.title == "Team sync"
    assert (block.end - block.start).total_seconds() == 5400
    page = console.get(w(workspace, f"reps/{dana.id}/calendar/")).content.decode()
    assert "Team sync" in page and "10:00" in page

    response = console.post(w(workspace, f"busy/{block.id}/delete/"))
    assert response.status_code == 302 and not BusyBlock.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"start": "2030-01-07T11:00", "end": "2030-01-07T10:00"},
        {"start": "2030-01-07T11:00", "end": "2030-03-07T10:00"},  # longer than 31 days
        {"start": "soon", "end": "2030-01-07T10:00"},
        {"start": "2030-01-07T11:00", "end": "", "title": "x"},
    ],
)
def test_bad_busy_block_writes_nothing(workspace, console, dana, data):
    response = console.post(w(workspace, f"reps/{dana.id}/calendar/busy/"), data)
    assert response.status_code == 400
    assert response.context["busy_form"].errors
    assert not BusyBlock.objects.exists()


def test_other_workspace_is_a_404(workspace, console, globex):
    rep, block = globex["rep"], globex["block"]
    assert console.get(w(workspace, f"reps/{rep.id}/calendar/")).status_code == 404
    assert (
        console.post(w(workspace, f"reps/{rep.id}/calendar/"), {"backend": "none"}).status_code
        == 404
    )
    assert (
        console.post(
            w(workspace, f"reps/{rep.id}/calendar/busy/"),
            {"start": "2030-01-07T10:00", "end": "2030-01-07T11:00"},
        ).status_code
        == 404
    )
    assert console.post(w(workspace, f"busy/{block.id}/delete/")).status_code == 404
    assert BusyBlock.objects.filter(pk=block.pk).exists()
    assert not CalendarConnection.objects.filter(rep=rep).exists()
