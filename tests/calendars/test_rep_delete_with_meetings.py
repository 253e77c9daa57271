"""Deleting a rep who hosts an upcoming meeting, or whom a meeting booking offers, is
refused with a clear error (API and admin) and deletes nothing; deactivating works."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from calendars.models import Meeting
from routing.models import Rep
from tests.calendars.conftest import (  # noqa: F401 - fixtures
    MEETINGS,
    ask,
    book,
    meeting_rule,
    rep_factory,
    with_booking,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(rep_factory, with_booking):  # noqa: F811
    dana = rep_factory("Dana")
    with_booking(logic="single_rep", reps=[dana.id])
    return dana


def booked(api):
    offer = ask(api, email="lee@bigco.com").json()
    made = book(api, offer["id"], offer["slots"][0]["start"])
    assert made.status_code == 201, made.json()
    return Meeting.objects.get(pk=made.json()["id"])


def test_a_rep_with_an_upcoming_meeting_cannot_be_deleted(api, dana):
    meeting = booked(api)
    response = api.delete(f"/api/v1/reps/{dana.id}/")
    assert response.status_code == 400
    detail = str(response.json())
    assert "Dana has 1 upcoming meeting" in detail and "deactivate the rep instead" in detail
    assert f"{meeting.start:%Y-%m-%d %H:%M} UTC" in detail
    assert Rep.objects.filter(id=dana.id).exists()
    meeting.refresh_from_db()
    assert meeting.owner_id == dana.id and meeting.status == "booked"
    # Deactivating is the way out, and it is allowed.
    response = api.patch(f"/api/v1/reps/{dana.id}/", {"is_active": False}, format="json")
    assert response.status_code == 200


def test_a_cancelled_meeting_no_longer_blocks_but_the_booking_still_does(api, dana, with_booking):  # noqa: F811
    meeting = booked(api)
    assert api.post(f"{MEETINGS}{meeting.id}/cancel/").status_code == 200
    response = api.delete(f"/api/v1/reps/{dana.id}/")
    assert response.status_code == 400
    assert "offered by the meeting booking of" in str(response.json())
    other = Rep.objects.create(workspace=dana.workspace, name="Omar", email="omar@acme.test")
    with_booking(logic="single_rep", reps=[other.id])
    assert api.delete(f"/api/v1/reps/{dana.id}/").status_code == 204
    meeting.refresh_from_db()
    assert meeting.owner_id is None and meeting.status == "cancelled"  # history stays


def test_the_admin_refuses_it_too(api, dana, workspace):
    booked(api)
    admin = get_user_model().objects.create_superuser("root", "root@acme.test", "pw-root-123")
    client = Client()
    client.force_login(admin)
    response = client.post(f"/admin/routing/rep/{dana.id}/delete/", {"post": "yes"}, follow=True)
    assert response.status_code in (200, 400)
    assert "upcoming meeting" in response.content.decode()
    assert Rep.objects.filter(id=dana.id).exists()
