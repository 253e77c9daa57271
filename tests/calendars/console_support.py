"""Fixtures for the calendars console and public booking tests (Django's test client)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from calendars import actions as meetings
from routing import actions
from routing.models import Membership

from .conftest import tomorrow


@pytest.fixture
def console(workspace):
    user = get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def globex(db):
    """Another workspace, with a rep, a meeting rule and a busy block of its own."""
    other, _ = actions.create_workspace("Globex")
    rep = actions.create_rep(other, name="Gina", email="gina@globex.test")
    rule = actions.create_rule(other, kind="meeting", name="Globex demos")
    block = meetings.add_busy(rep, start=tomorrow(9), end=tomorrow(10), title="Secret")
    return {"workspace": other, "rep": rep, "rule": rule, "block": block}


def w(workspace, path=""):
    return f"/w/{workspace.id}/{path}"


@pytest.fixture
def booked(workspace, rep_factory, with_booking):
    """Ann and Bob in round robin on the `demo` link; one meeting booked tomorrow 09:00 UTC."""
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    with_booking(logic="round_robin", reps=[ann.id, bob.id])
    payload = {
        "link": "demo",
        "lead": {"email": "lead@bigco.com", "name": "Lee"},
        "timezone": "Asia/Tokyo",
        "start": tomorrow(9),
        "end": tomorrow(12),
    }
    offer = meetings.offer(workspace, payload)
    start = datetime.fromisoformat(offer.availability.slots[0]["start"])
    meeting = meetings.book(workspace, offer.availability.id, start)
    return {"ann": ann, "bob": bob, "meeting": meeting}


def past(hours=1):
    return datetime.now(UTC) - timedelta(hours=hours)
