"""route_chat owns its one transaction; the facts lookup runs before it (issue 10 item 15).

Transactional tests: in a plain `db` test everything runs inside the test's
own transaction, so `in_atomic_block` would be True anyway.
"""

import pytest
from django.db import connection, transaction
from django.test import override_settings

from routing import actions
from routing.facts import CrmFacts
from routing.models import Chat, Decision, IdempotencyRecord

from .helpers import CHATS

SEEN: list[bool] = []


def provider(workspace, *, email, domain):
    """A fact provider that records whether a transaction was open while it ran."""
    SEEN.append(connection.in_atomic_block)
    return CrmFacts(error="test provider")


PROVIDER = override_settings(KNOCK_FACT_PROVIDERS={"crm": f"{__name__}.provider"})
BODY = {"lead": {"email": "jo@bigco.com"}, "message": "hi"}


@pytest.fixture(autouse=True)
def _clear():
    SEEN.clear()


@pytest.mark.django_db(transaction=True)
@PROVIDER
@pytest.mark.parametrize("key", ["k-1", None])
def test_the_crm_is_asked_before_any_transaction_opens(api, make_rep, key):
    make_rep("Dana")
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = api.post(CHATS, BODY, format="json", **headers)
    assert response.status_code == 201, response.data
    assert SEEN == [False]
    assert response.data["context"].get("crm") is None  # the provider's error: missing
    assert IdempotencyRecord.objects.count() == (1 if key else 0)
    if key:  # the stored answer is the answer given
        record = IdempotencyRecord.objects.get()
        assert record.response["id"] == response.data["id"]


@pytest.mark.django_db(transaction=True)
@PROVIDER
def test_a_replay_asks_nothing_and_routes_nothing(api, make_rep):
    make_rep("Dana")
    first = api.post(CHATS, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    again = api.post(CHATS, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert again["Idempotent-Replayed"] == "true"
    assert again.data["id"] == first.data["id"]
    assert SEEN == [False]
    assert Chat.objects.count() == Decision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@PROVIDER
def test_route_chat_refuses_to_run_inside_a_callers_transaction(workspace):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        actions.route_chat(workspace, BODY)
    assert Chat.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@PROVIDER
def test_a_failing_answer_rolls_the_whole_routing_back(workspace):
    def answer(chat):
        IdempotencyRecord.objects.create(
            workspace=workspace, key="k-3", request_hash="h", status_code=201, response={}
        )
        raise RuntimeError("the answer could not be stored")

    with pytest.raises(RuntimeError, match="answer"):
        actions.route_chat(workspace, BODY, answer=answer)
    assert Chat.objects.count() == Decision.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0
