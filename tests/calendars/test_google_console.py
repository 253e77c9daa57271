"""The console's Google Calendar page with Django's test client: the key is validated,
stored encrypted and never shown back; bad input is a form error and saves nothing;
"Check connection" asks the fake Google live and shows its answer or its error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from calendars.models import CalendarConnection, GoogleSettings
from routing import actions
from routing.models import Membership

from .google_support import fake_google, fresh_google_state, key_file, on_google  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(workspace):
    user = get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def page(workspace):
    return f"/w/{workspace.id}/google/"


@pytest.fixture
def key(google):
    return json.dumps(google.service_account())


def post(console, page, **data):
    body = {"service_account": "", "lookup_timeout": "", "freebusy_subject": "", **data}
    return console.post(page, body)


def test_the_page_is_in_the_nav_and_says_not_configured(console, page, settings):
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    response = console.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{page}"' in html and "Google Calendar" in html
    assert "Not configured" in html


def test_a_pasted_key_is_stored_encrypted_and_never_shown(console, page, workspace, key, google):
    response = post(console, page, service_account=key, lookup_timeout="1.5")
    assert response.status_code == 302 and response.url == page
    row = GoogleSettings.objects.get(workspace=workspace)
    assert row.client_email == google.client_email and row.lookup_timeout == 1.5
    assert "PRIVATE KEY" not in row.service_account_encrypted
    assert json.loads(row.service_account) == json.loads(key)
    html = console.get(page).content.decode()
    assert "PRIVATE KEY" not in html and google.private_key[40:80] not in html
    assert google.client_email in html and "Key stored for this workspace" in html


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{not json", "This is not JSON"),
        ('{"type": "service_account"}', "Missing in the key file: client_email, private_key"),
        ("TYPE", "&quot;type&quot; is &#x27;authorized_user&#x27;"),
        ("NO_TOKEN_URI", "Missing in the key file: token_uri"),
        ("BAD_KEY", "The private key cannot be read"),
    ],
)
def test_a_bad_key_is_a_form_error_and_saves_nothing(console, page, google, text, error):
    info = google.service_account()
    if text == "TYPE":
        text = json.dumps({**info, "type": "authorized_user"})
    elif text == "NO_TOKEN_URI":
        text = json.dumps({k: v for k, v in info.items() if k != "token_uri"})
    elif text == "BAD_KEY":
        text = json.dumps({**info, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n"})
    response = post(console, page, service_account=text, lookup_timeout="3")
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert "AAAA" not in html and info["private_key"][40:80] not in html  # not echoed back
    assert not GoogleSettings.objects.exists()


@pytest.mark.parametrize("value", ["abc", "0", "0.1", "31", "nan", "-2"])
def test_a_bad_time_out_is_a_form_error_and_saves_nothing(console, page, key, value):
    response = post(console, page, service_account=key, lookup_timeout=value)
    assert response.status_code == 400
    assert "Enter seconds between 0.2 and 30." in response.content.decode()
    assert not GoogleSettings.objects.exists()


def test_a_bad_subject_is_a_form_error(console, page, key):
    response = post(console, page, service_account=key, freebusy_subject="not an email")
    assert response.status_code == 400 and "Enter an email address" in response.content.decode()
    assert not GoogleSettings.objects.exists()


def test_a_bad_key_keeps_the_stored_one_and_remove_clears_it(console, page, workspace, key):
    assert post(console, page, service_account=key).status_code == 302
    before = GoogleSettings.objects.get(workspace=workspace).service_account_encrypted
    assert post(console, page, service_account="[]", lookup_timeout="2").status_code == 400
    row = GoogleSettings.objects.get(workspace=workspace)
    assert row.service_account_encrypted == before and row.lookup_timeout is None
    # An empty paste keeps the key and saves the other fields.
    assert post(console, page, lookup_timeout="2.5").status_code == 302
    row.refresh_from_db()
    assert row.service_account_encrypted == before and row.lookup_timeout == 2.5
    assert post(console, page, remove_service_account="on").status_code == 302
    row.refresh_from_db()
    assert row.service_account_encrypted == "" and row.client_email == ""


def test_check_connection_shows_googles_answer(console, page, google, rep_factory):
    (ann,) = on_google(rep_factory("Ann"))
    # Within the next 24 hours at any time of day (before 09:00 UTC, tomorrow 09:00 is not).
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    google.busy[ann.email] = [(soon, soon + timedelta(hours=1))]
    response = console.post(page + "check/", {"rep": ann.id})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Google answered for" in html and ann.email in html
    assert "1 busy period in the next 24 hours" in html
    [call] = google.calls_to("freeBusy")
    assert call.body["items"] == [{"id": ann.email}] and call.subject == ann.email


def test_check_connection_shows_the_error(console, page, google, rep_factory):
    (ann,) = on_google(rep_factory("Ann"))
    google.calendar_errors[ann.email] = "notFound"
    html = console.post(page + "check/", {"rep": ann.id}).content.decode()
    assert "calendar cannot be read" in html and f"Google Calendar {ann.email}: notFound" in html
    connection = CalendarConnection.objects.get(rep=ann)
    assert "notFound" in connection.last_error
    # Once Google reads it again, the error is cleared.
    del google.calendar_errors[ann.email]
    assert "Google answered" in console.post(page + "check/", {"rep": ann.id}).content.decode()
    connection.refresh_from_db()
    assert connection.last_error == "" and connection.last_error_at is None


def test_check_connection_without_delegation(console, page, google, rep_factory):
    (ann,) = on_google(rep_factory("Ann"))
    google.refused_subjects.add(ann.email)
    html = console.post(page + "check/", {"rep": ann.id}).content.decode()
    assert "unauthorized_client" in html


def test_check_connection_refuses_a_rep_of_another_workspace(console, page, other_api):
    stranger = actions.create_rep(other_api.workspace, name="Eve", email="eve@globex.test")
    response = console.post(page + "check/", {"rep": stranger.id})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_only_members_see_the_page(client, page, other_api, workspace):
    assert client.get(page).status_code == 302  # to the login page
    user = get_user_model().objects.create_user("other", password="pw-xx-123", is_staff=True)
    Membership.objects.create(workspace=other_api.workspace, user=user)
    client.force_login(user)
    assert client.get(page).status_code == 404
    assert client.post(page + "check/", {"rep": 1}).status_code == 404


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800"])
def test_a_key_with_a_nul_or_a_lone_surrogate_is_refused_beside_the_field(
    console, page, workspace, key, escape
):
    bad = key.replace('"client_email": "', f'"client_email": "{escape}', 1)
    assert bad != key
    response = post(console, page, service_account=bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The key file (at client_email) contains" in html
    assert not GoogleSettings.objects.filter(workspace=workspace).exists()
