"""A row routing points at, deleted by another request while it routes (issue 16's
noticed list): the chat is routed again on what is there now, never a 500.

route_chat reads reps, agents and links from caches under the workspace's routing
stamp, read at the start of the request; a deletion committed after that and before
the routing's commit makes its foreign key fail at the commit. Transactional tests:
the foreign keys are checked at a real commit (on both databases).
"""

import pytest
from django.test import override_settings

from routing import actions
from routing.facts import CrmFacts
from routing.models import Chat, Decision, Rep, Workspace

pytestmark = pytest.mark.django_db(transaction=True)

CHATS = "/api/v1/chats/"
DELETE: list = []  # the rep the provider below deletes, once


def deleting_provider(workspace, *, email, domain):
    """A fact provider (it runs after the token's query, before the transaction) that
    deletes a rep the way another request would: committed, stamp replaced."""
    while DELETE:
        actions.delete_rep(Rep.objects.get(pk=DELETE.pop()))
    return CrmFacts(error="test provider")


@pytest.fixture
def team():
    workspace, key = actions.create_workspace("Meanwhile Co")
    dana = actions.create_rep(workspace, name="Dana", email="dana@m.test")
    omar = actions.create_rep(workspace, name="Omar", email="omar@m.test")
    workspace.default_rep = dana
    workspace.save(update_fields=["default_rep"])
    return workspace, key, dana, omar


def test_a_default_rep_deleted_after_the_caches_were_read_is_routed_around(team):
    workspace, _, dana, omar = team
    stale = Workspace.objects.get(pk=workspace.pk)  # read now: its stamp and default rep
    first = actions.route_chat(stale, {"lead": {"email": "one@lead.test"}}, workspace_is_fresh=True)
    assert first.decision.rep_id == dana.id  # the caches now hold Dana
    actions.delete_rep(Rep.objects.get(pk=dana.pk))  # another request, committed
    routed = actions.route_chat(
        stale, {"lead": {"email": "two@lead.test"}}, workspace_is_fresh=True
    )
    assert routed.decision.rep_id == omar.id
    # Routed again on what is there now: no default rep any more, the first active one.
    assert routed.decision.trace["segments"][-1]["reason"] == "the first active rep"
    chats = Chat.objects.filter(workspace=workspace, lead__email="two@lead.test")
    assert chats.count() == 1 and chats.get().rep_owner_id == omar.id
    assert Decision.objects.filter(workspace=workspace).count() == 2


@override_settings(KNOCK_FACT_PROVIDERS={"crm": f"{__name__}.deleting_provider"})
@pytest.mark.parametrize("key", [None, "k-1"])
def test_over_the_api_the_chat_is_a_201_on_the_rep_still_there(team, client, key):
    workspace, token, dana, omar = team
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    warm = client.post(
        CHATS, '{"lead": {"email": "one@lead.test"}}', content_type="application/json", **headers
    )
    assert warm.json()["assignee"]["id"] == dana.id
    DELETE.append(dana.pk)  # deleted between this request's token query and its commit
    body = '{"lead": {"email": "two@lead.test"}}'
    response = client.post(CHATS, body, content_type="application/json", **{
        **headers, **({"HTTP_IDEMPOTENCY_KEY": key + "b"} if key else {})
    })  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["assignee"]["id"] == omar.id
    assert not Rep.objects.filter(pk=dana.pk).exists()
    assert Chat.objects.filter(workspace=workspace, lead__email="two@lead.test").count() == 1
