"""Where a log-in lands, and the switcher's labels (issue 14 item 6)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from routing import actions
from routing.models import Membership, Workspace

pytestmark = pytest.mark.django_db
PASSWORD = "pw-ops-123"


@pytest.fixture
def three():
    """An empty workspace that sorts first, a busy one, and a quiet one."""
    empty, _ = actions.create_workspace("Aardvark (empty)")
    busy, _ = actions.create_workspace("Busy Co")
    quiet, _ = actions.create_workspace("Quiet Co")
    actions.create_rep(busy, name="Amy", email="amy@busy.test")
    for n in range(3):
        actions.route_chat(busy, {"lead": {"email": f"l{n}@x.com"}})
    user = get_user_model().objects.create_user("ops", password=PASSWORD, is_staff=True)
    for ws in (empty, busy, quiet):
        Membership.objects.create(workspace=ws, user=user)
    return empty, busy, quiet


def log_in() -> Client:
    client = Client()
    response = client.post("/login/", {"username": "ops", "password": PASSWORD})
    assert response.status_code == 302
    return client


def landing(client) -> str:
    return client.get("/").headers["Location"]


def test_first_login_lands_on_the_busiest_workspace(three):
    _, busy, _ = three
    assert landing(log_in()) == f"/w/{busy.id}/"


def test_login_lands_on_the_last_used_workspace_after_logging_out(three):
    _, _, quiet = three
    client = log_in()
    assert client.get(f"/w/{quiet.id}/").status_code == 200
    client.post("/logout/")
    assert landing(log_in()) == f"/w/{quiet.id}/"


def test_a_workspace_no_longer_visible_is_not_the_landing(three):
    _, busy, quiet = three
    client = log_in()
    client.get(f"/w/{quiet.id}/")
    client.post("/logout/")
    Membership.objects.filter(workspace=quiet).delete()
    assert landing(log_in()) == f"/w/{busy.id}/"


def test_the_switcher_shows_the_slug_when_names_look_alike(three):
    _, busy, _ = three
    twin = Workspace.objects.create(name="Busy, Co.", slug="busy-co-eu")
    Membership.objects.create(workspace=twin, user=get_user_model().objects.get())
    page = log_in().get(f"/w/{busy.id}/").content.decode()
    assert f"Busy Co ({busy.slug})</option>" in page
    assert "Busy, Co. (busy-co-eu)</option>" in page
    assert "Quiet Co</option>" in page
