"""The API's form-encoded and multipart bodies: flat input works, nested input is a
clear 415 that asks for JSON, and nothing is written (routing/api/parsers.py)."""

from urllib.parse import urlencode

import pytest

from routing.models import Chat, Rep

from .helpers import CHATS

pytestmark = pytest.mark.django_db


def post(api, url, body, fmt):
    if fmt == "form":
        return api.post(url, urlencode(body), content_type="application/x-www-form-urlencoded")
    return api.post(url, body, format="multipart")


@pytest.mark.parametrize("fmt", ["form", "multipart"])
@pytest.mark.parametrize(
    "body",
    [
        {"lead.email": "a@b.co"},
        {"lead[email]": "a@b.co"},
        {"lead": '{"email": "a@b.co"}'},
        {"lead": "x", "custom": '["a", "b"]'},
    ],
)
def test_nested_input_in_a_form_body_is_a_415_asking_for_json(api, make_rep, body, fmt):
    make_rep("Dana")
    response = post(api, CHATS, body, fmt)
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"
    assert "send Content-Type: application/json" in response.json()["detail"]
    assert not Chat.objects.exists()


@pytest.mark.parametrize("fmt", ["form", "multipart"])
def test_flat_input_in_a_form_body_still_works(api, fmt):
    response = post(api, "/api/v1/reps/", {"name": "Dana", "email": "dana@acme.test"}, fmt)
    assert response.status_code == 201, response.content
    assert Rep.objects.get(email="dana@acme.test").name == "Dana"


def test_a_rep_name_with_brackets_in_its_value_is_not_mistaken_for_nesting(api):
    body = {"name": "Dana [EMEA]", "email": "dana@acme.test"}
    assert post(api, "/api/v1/reps/", body, "form").status_code == 201
