"""An edit is seen by the very next chat (#16 item 1), on SQLite and PostgreSQL.

The per-process caches (routing/cache.py) are never cleared by an edit: the edit
replaces the workspace's routing stamp in the database, and the next request
reads the stamp with its token. So what this process sees after an edit is what
a second server process sees: its cache holds the old entries too, under a
stamp that no longer matches. The tests below edit through the actions (the
API, the console and the admin call them) and route over the API.
"""

import pytest
from rest_framework.test import APIClient

from crm.actions import map_owner
from notifications.actions import save_slack_settings
from outbox.models import Delivery
from routing import actions, cache

from . import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    workspace, key = actions.create_workspace("Stamp")
    slug = scenario.build(workspace, tag="st")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    counter = iter(range(1, 1000))

    def post(**extra):
        body = {**scenario.payload(slug, next(counter)), **extra}
        response = api.post("/api/v1/chats/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    rule = workspace.links.get(slug=slug).chat_rule
    return workspace, slug, rule, post


def test_a_segment_edit_is_used_by_the_next_chat(setup):
    workspace, slug, rule, post = setup
    first = post()
    assert first["segment"]["name"] == "winner"
    winner = rule.segments.get(name="winner")
    actions.update_segment(winner, name="champion")
    second = post()
    assert second["segment"]["name"] == "champion"
    assert second["rule"]["version"] == first["rule"]["version"] + 1


def test_a_new_top_segment_and_a_rule_rename_are_used_at_once(setup):
    workspace, slug, rule, post = setup
    post()
    rep = workspace.reps.order_by("id").first()
    actions.add_segment(
        rule, name="everyone", conditions=None, assignee={"type": "rep", "id": rep.id}
    )
    actions.move_segment(rule.segments.get(name="everyone"), 0)
    assert post()["segment"]["name"] == "everyone"
    actions.update_rule(rule, name="Renamed")
    assert post()["rule"]["name"] == "Renamed"


def test_a_link_edit_and_deactivation_are_seen_at_once(setup):
    workspace, slug, rule, post = setup
    post()
    link = workspace.links.get(slug=slug)
    default = workspace.rules.get(kind="chat", is_default=True)
    actions.update_link(link, chat_rule=None)
    assert post()["rule"]["id"] == default.id
    actions.update_link(link, is_active=False)
    with pytest.raises(AssertionError, match="404|No active Knock Link"):
        post()  # the link is no longer active: a 404


def test_slack_settings_are_seen_at_once(setup):
    workspace, slug, rule, post = setup
    first = post()
    assert Delivery.objects.get(chat_id=first["id"], kind="slack.alert").target == {
        "channel": "#leads"
    }
    save_slack_settings(workspace, default_channel="#sales")
    second = post()
    assert Delivery.objects.get(chat_id=second["id"], kind="slack.alert").target == {
        "channel": "#sales"
    }


def test_a_crm_owner_override_is_seen_at_once(setup):
    workspace, slug, rule, post = setup
    first = post()
    reps = list(workspace.reps.order_by("id"))
    owner_email = reps[-1].email
    assert first["context"]["crm"]["owner_rep"] == reps[-1].id
    map_owner(workspace, rep=reps[0], email=owner_email)
    assert post()["context"]["crm"]["owner_rep"] == reps[0].id


def test_a_stale_workspace_object_is_refreshed_by_route_chat(setup):
    """A caller holding an old workspace object (a command) still sees the edit."""
    workspace, slug, rule, post = setup
    held = type(workspace).objects.get(pk=workspace.pk)
    actions.route_chat(held, scenario.payload(slug, 500))
    actions.update_segment(rule.segments.get(name="winner"), name="renamed")
    routed = actions.route_chat(held, scenario.payload(slug, 501))
    assert routed.decision.segment_name == "renamed"


def test_entries_of_another_stamp_are_never_used(setup):
    workspace, slug, rule, post = setup
    calls = []
    assert cache.get(workspace, "probe", 1, lambda: calls.append(1) or "a") == "a"
    assert cache.get(workspace, "probe", 1, lambda: calls.append(1) or "b") == "a"
    cache.touch(workspace)
    assert cache.get(workspace, "probe", 1, lambda: calls.append(1) or "c") == "c"
    assert len(calls) == 2


def test_an_unrelated_edit_reloads_the_version_but_not_its_snapshot(setup):
    """The compiled rule outlives the stamp: only the version's id is read again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    workspace, slug, rule, post = setup
    post()
    actions.update_rep(workspace.reps.order_by("id").first(), name="Renamed rep")
    with CaptureQueriesContext(connection) as ctx:
        post()
    version_reads = [q["sql"] for q in ctx.captured_queries if "routing_ruleversion" in q["sql"]]
    assert len(version_reads) == 1 and '"snapshot"' not in version_reads[0]


def _top_segment(rule, name, assignee):
    actions.add_segment(rule, name=name, conditions=None, assignee=assignee)
    actions.move_segment(rule.segments.get(name=name), 0)


def test_a_rep_edit_and_a_new_rep_are_seen_at_once(setup):
    """Reps are read once per stamp (routing/directory.py): deactivating one, putting
    one out of office, renaming one or adding one is seen by the next chat."""
    workspace, slug, rule, post = setup
    rep = workspace.reps.order_by("id").first()
    _top_segment(rule, "to one rep", {"type": "rep", "id": rep.id})
    assert post()["assignee"] == {"type": "rep", "id": rep.id, "name": rep.name}
    actions.update_rep(rep, name="Renamed Rep")
    assert post()["assignee"]["name"] == "Renamed Rep"
    actions.update_rep(rep, is_active=False)
    assert post()["segment"]["name"] == "winner"  # skipped: the pool's segment next
    actions.update_rep(rep, is_active=True)
    assert post()["assignee"]["id"] == rep.id
    newcomer = actions.create_rep(workspace, name="Newcomer", email="new@reps.test")
    _top_segment(rule, "to the newcomer", {"type": "rep", "id": newcomer.id})
    assert post()["assignee"] == {"type": "rep", "id": newcomer.id, "name": "Newcomer"}


def test_an_ai_agent_edit_is_seen_at_once(setup):
    workspace, slug, rule, post = setup
    agent = actions.create_ai_agent(workspace, name="Bot", specialty="support")
    _top_segment(rule, "to the bot", {"type": "ai_agent", "id": agent.id})
    assert post()["assignee"] == {"type": "ai_agent", "id": agent.id, "name": "Bot"}
    actions.update_ai_agent(agent, is_active=False)
    assert post()["segment"]["name"] == "winner"
