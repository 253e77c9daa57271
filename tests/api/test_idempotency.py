"""The Idempotency-Key header on POST /api/v1/chats/ (SPEC 8)."""

from datetime import timedelta

from django.utils import timezone

from routing.models import Chat, Decision, IdempotencyRecord, Lead

from .helpers import CHATS, counts, ok

BODY = {"lead": {"email": "jo@bigco.com", "name": "Jo"}, "message": "pricing please"}


def post(client, body, key):
    return client.post(CHATS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_same_body_returns_the_first_answer(api, make_rep):
    make_rep("Dana")
    first = post(api, BODY, "k-1")
    assert first.status_code == 201
    assert first.get("Idempotent-Replayed") is None
    second = post(api, BODY, "k-1")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.data["id"] == first.data["id"]
    assert second.data["assignee"] == first.data["assignee"]
    assert second.data["decision"] == first.data["decision"]
    assert Chat.objects.count() == 1
    assert Decision.objects.count() == 1
    assert Lead.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_replay_does_not_route_again(api, make_rep, make_pool, make_rule, add_segment, make_link):
    """With a round-robin pool a second routing would pick the next rep: a replay must not."""
    a, b = make_rep("A"), make_rep("B")
    pool = make_pool("P", [{"rep": a.id}, {"rep": b.id}])
    rule = make_rule("R")
    add_segment(
        rule["id"],
        "All",
        {"field": "lead.email", "op": "exists"},
        {"type": "pool", "id": pool["id"]},
    )
    make_link("l", chat_rule=rule["id"])
    body = {**BODY, "link": "l"}
    first = ok(post(api, body, "rr"), 201)
    for _ in range(3):
        assert ok(post(api, body, "rr"), 201)["assignee"] == first["assignee"]
    members = ok(api.get(f"/api/v1/pools/{pool['id']}/"))["members"]
    assert sorted(m["assigned_count"] for m in members) == [0, 1]


def test_key_order_in_the_body_does_not_matter(api):
    first = ok(
        post(api, {"message": "hi", "lead": {"name": "Jo", "email": "jo@bigco.com"}}, "k"), 201
    )
    second = ok(
        post(api, {"lead": {"email": "jo@bigco.com", "name": "Jo"}, "message": "hi"}, "k"), 201
    )
    assert first["id"] == second["id"]
    assert Chat.objects.count() == 1


def test_same_key_different_body_is_422_and_writes_nothing(api):
    ok(post(api, BODY, "k-1"), 201)
    before = counts()
    other = {**BODY, "message": "something else"}
    response = post(api, other, "k-1")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.data["detail"]
    other_lead = {"lead": {"email": "someone@else.com"}}
    assert post(api, other_lead, "k-1").status_code == 422
    assert counts() == before
    assert not Lead.objects.filter(email="someone@else.com").exists()


def test_different_keys_route_twice(api):
    a = ok(post(api, BODY, "k-1"), 201)
    b = ok(post(api, BODY, "k-2"), 201)
    assert a["id"] != b["id"]
    assert Chat.objects.count() == 2


def test_no_key_routes_every_time(api):
    ok(api.post(CHATS, BODY, format="json"), 201)
    ok(api.post(CHATS, BODY, format="json"), 201)
    assert Chat.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_workspaces_may_reuse_a_key(api, other_api):
    mine = ok(post(api, BODY, "shared-key"), 201)
    theirs = ok(post(other_api, BODY, "shared-key"), 201)
    assert mine["id"] != theirs["id"]
    assert Chat.objects.get(pk=theirs["id"]).workspace_id == other_api.workspace.id
    assert Chat.objects.count() == 2
    # Each workspace's replay is its own.
    assert ok(post(api, BODY, "shared-key"), 201)["id"] == mine["id"]
    assert ok(post(other_api, BODY, "shared-key"), 201)["id"] == theirs["id"]
    # And a different body in the other workspace does not conflict with ours.
    assert post(other_api, {**BODY, "message": "x"}, "shared-key").status_code == 422


def test_invalid_body_with_a_key_does_not_burn_the_key(api):
    before = counts()
    response = post(api, {"lead": {"email": "not-an-email"}}, "k-bad")
    assert response.status_code == 400
    assert counts() == before
    ok(post(api, BODY, "k-bad"), 201)


def test_overlong_key_is_400(api):
    before = counts()
    response = post(api, BODY, "k" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.data
    assert counts() == before
    ok(post(api, BODY, "k" * 255), 201)


def test_expired_key_routes_again(api, settings):
    first = ok(post(api, BODY, "old"), 201)
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS + 1)
    )
    second = ok(post(api, BODY, "old"), 201)
    assert second["id"] != first["id"]
    assert IdempotencyRecord.objects.count() == 1
