import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from routing import actions

from .conftest import url

pytestmark = pytest.mark.django_db

PAGES = ["", "rules/", "rules/?kind=meeting", "links/", "pools/", "reps/", "decisions/"]


def test_anonymous_is_sent_to_login(workspace):
    response = Client().get(url(workspace, "rules/"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_non_staff_user_is_refused(workspace):
    user = get_user_model().objects.create_user("rep", password="x")
    client = Client()
    client.force_login(user)
    assert client.get(url(workspace, "rules/")).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_a_member(console, workspace, rule, path):
    response = console.get(url(workspace, path))
    assert response.status_code == 200
    assert workspace.name.encode() in response.content


def test_another_workspace_is_a_404(console, workspace, rule):
    other, _ = actions.create_workspace("Globex")
    other_rule = other.rules.get(kind="chat", is_default=True)
    assert console.get(url(other, "rules/")).status_code == 404
    assert console.get(url(other, f"rules/{other_rule.id}/")).status_code == 404
    # Its rule id under our own workspace is not found either.
    assert console.get(url(workspace, f"rules/{other_rule.id}/")).status_code == 404


def test_superuser_sees_every_workspace_in_the_switcher(workspace):
    other, _ = actions.create_workspace("Globex")
    admin = get_user_model().objects.create_superuser("root", "root@x.test", "pw")
    client = Client()
    client.force_login(admin)
    page = client.get(url(other, "rules/")).content.decode()
    assert "Globex" in page and "Acme Inc" in page
    assert client.get(f"/switch/?ws={workspace.id}")["Location"] == url(workspace)


def test_root_redirects_to_the_last_workspace(console, workspace):
    response = console.get("/")
    assert response.status_code == 302 and response["Location"] == url(workspace)


def test_logout_is_post_only(console):
    assert console.get("/logout/").status_code == 405
    assert console.post("/logout/").status_code == 302
