"""The fake Slack server, proven against the real slack_sdk WebClient (no database needed)."""

import json
import time
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from tests.fakes.slack import FakeSlack, make_users

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*New lead:* Acme"}}]
METADATA = {"event_type": "lead_routed", "event_payload": {"lead_id": 42, "rule": "round-robin"}}
FAST = FixedValueRetryIntervalCalculator(0.01)


@pytest.fixture
def slack():
    with FakeSlack(users=make_users(5, deleted=1)) as fake:
        yield fake


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-test", base_url=slack.url)


def error_of(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as exc:
        call()
    return exc.value


def without_block_ids(blocks):
    return [{k: v for k, v in block.items() if k != "block_id"} for block in blocks]


# ----- auth -----


def test_auth_test_sends_bearer_token_to_api_path(slack, client):
    assert slack.url.endswith("/api/")
    response = client.auth_test()

    assert response["ok"] and response["user_id"] == slack.bot_user_id
    assert response["team_id"] == "T0KNOCK" and response["bot_id"] == slack.bot_id
    [call] = slack.calls
    assert call.method == "auth.test"
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.token == "xoxb-test"


def test_unknown_token_is_invalid_auth_with_http_200(slack):
    error = error_of(WebClient(token="xoxb-revoked", base_url=slack.url).auth_test)
    assert error.response["error"] == "invalid_auth"
    assert error.response.status_code == 200


def test_missing_token_is_not_authed(slack):
    error = error_of(WebClient(base_url=slack.url).auth_test)
    assert error.response["error"] == "not_authed"


# ----- users -----


def test_make_users_shapes():
    users = make_users(40, bots=3, deleted=4, guests=6, slackbot=True)
    assert len(users) == 41 and users[0]["id"] == "USLACKBOT" and not users[0]["is_bot"]
    assert len({u["id"] for u in users}) == 41
    assert sum(u["is_bot"] for u in users) == 3
    assert sum(u["deleted"] for u in users) == 4
    assert sum(u.get("is_restricted", False) for u in users) == 6
    assert sum(u.get("is_ultra_restricted", False) for u in users) == 3
    human = next(u for u in users[1:] if not (u["is_bot"] or u["deleted"]))
    assert {"tz", "tz_offset", "is_restricted", "is_app_user"} <= human.keys()
    assert human["profile"]["email"].endswith("@knock-test.example.com")
    bot = next(u for u in users if u["is_bot"])
    assert "email" not in bot["profile"] and bot["profile"]["bot_id"].startswith("B")


def test_users_list_paginates_with_explicit_cursor(slack, client):
    slack.users = make_users(10)
    seen, cursor = [], None
    while True:
        page = client.users_list(limit=3, cursor=cursor)
        seen += [u["id"] for u in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == [u["id"] for u in slack.users]
    assert len(slack.calls_to("users.list")) == 4
    assert slack.calls[1].params == {"limit": "3", "cursor": slack.calls[1].params["cursor"]}
    assert slack.calls[0].body_format == "form"


def test_users_list_sdk_iterator_pages_through_10000_users(slack, client):
    slack.users = make_users(10_000, bots=50, deleted=300, guests=200)
    ids = [u["id"] for page in client.users_list(limit=200) for u in page["members"]]

    assert ids == [u["id"] for u in slack.users]
    assert len(slack.calls_to("users.list")) == 50
    assert "cursor" not in slack.calls[0].params
    assert all(c.params["cursor"] for c in slack.calls[1:])


def test_users_list_without_limit_returns_everyone(slack, client):
    response = client.users_list()
    assert len(response["members"]) == 5 and response["response_metadata"]["next_cursor"] == ""


def test_users_list_bad_cursor(client):
    error = error_of(lambda: client.users_list(cursor="bogus!"))
    assert error.response["error"] == "invalid_cursor"
    error = error_of(lambda: client.users_list(cursor="dXNlcjpVTk9CT0RZ"))  # user:UNOBODY
    assert error.response["error"] == "invalid_cursor"


def test_users_info(slack, client):
    user = slack.users[0]
    assert client.users_info(user=user["id"])["user"] == user
    error = error_of(lambda: client.users_info(user="U404"))
    assert error.response["error"] == "user_not_found"


# ----- posting -----


def test_post_message_json_body_round_trips_blocks_and_metadata(slack, client):
    response = client.chat_postMessage(
        channel="C0LEADS01", text="New lead: Acme", blocks=BLOCKS, metadata=METADATA
    )

    assert response["channel"] == "C0LEADS01"
    assert response["message"]["text"] == "New lead: Acme"
    assert without_block_ids(response["message"]["blocks"]) == BLOCKS
    assert all(block["block_id"] for block in response["message"]["blocks"])
    assert response["message"]["metadata"] == METADATA
    assert response["message"]["bot_id"] == slack.bot_id
    [call] = slack.calls
    assert call.body_format == "json"
    assert call.headers["content-type"].startswith("application/json")
    assert call.params["blocks"] == BLOCKS and call.params["metadata"] == METADATA
    [stored] = slack.messages
    assert stored["channel"] == "C0LEADS01" and stored["ts"] == response["ts"]
    assert stored["user"] == slack.bot_user_id and stored["metadata"] == METADATA


def test_post_message_form_body_with_json_encoded_fields(slack, client):
    data = {
        "channel": "#leads",
        "text": "form post",
        "blocks": json.dumps(BLOCKS),
        "metadata": json.dumps(METADATA),
        "unfurl_links": False,
    }
    response = client.api_call("chat.postMessage", data=data)

    assert response["ok"] and response["channel"] == "C0LEADS01"
    [call] = slack.calls
    assert call.body_format == "form"
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.params["blocks"] == BLOCKS and call.params["unfurl_links"] == "0"
    [stored] = slack.messages
    assert without_block_ids(stored["blocks"]) == BLOCKS
    assert stored["metadata"] == METADATA and stored["unfurl_links"] is False
    assert "unfurl_links" not in response["message"]


def test_bad_blocks_and_metadata_are_rejected(slack, client):
    form = {"channel": "C0LEADS01", "text": "x", "blocks": "[not json"}
    error = error_of(lambda: client.api_call("chat.postMessage", data=form))
    assert error.response["error"] == "invalid_blocks_format"
    too_many = BLOCKS * 51
    error = error_of(
        lambda: client.chat_postMessage(channel="C0LEADS01", text="x", blocks=too_many)
    )
    assert error.response["error"] == "invalid_blocks"
    error = error_of(lambda: client.chat_postMessage(channel="C0LEADS01", text="x", metadata={}))
    assert error.response["error"] == "invalid_metadata_format"
    with pytest.warns(UserWarning, match="text"):  # the SDK warns too
        error = error_of(lambda: client.chat_postMessage(channel="C0LEADS01"))
    assert error.response["error"] == "no_text"
    assert slack.messages == []


def test_ts_is_slack_formatted_unique_and_increasing(client):
    stamps = [client.chat_postMessage(channel="C0LEADS01", text=str(i))["ts"] for i in range(20)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 20
    seconds, micros = stamps[0].split(".")
    assert len(seconds) == 10 and len(micros) == 6


def test_thread_replies(slack, client):
    parent = client.chat_postMessage(channel="C0LEADS01", text="New lead")
    reply = client.chat_postMessage(channel="C0LEADS01", text="Claimed", thread_ts=parent["ts"])

    assert reply["message"]["thread_ts"] == parent["ts"]
    thread = client.conversations_replies(channel="C0LEADS01", ts=parent["ts"])["messages"]
    assert [m["text"] for m in thread] == ["New lead", "Claimed"]
    assert thread[0]["reply_count"] == 1 and thread[0]["latest_reply"] == reply["ts"]
    history = client.conversations_history(channel="C0LEADS01")["messages"]
    assert [m["text"] for m in history] == ["New lead"]  # replies stay in the thread
    error = error_of(lambda: client.conversations_replies(channel="C0LEADS01", ts="1.000001"))
    assert error.response["error"] == "thread_not_found"


def test_channel_errors(slack, client):
    slack.add_channel("C0SALES01", "sales", member=False)
    error = error_of(lambda: client.chat_postMessage(channel="C0NOPE001", text="x"))
    assert error.response["error"] == "channel_not_found" and error.response.status_code == 200
    error = error_of(lambda: client.chat_postMessage(channel="#sales", text="x"))
    assert error.response["error"] == "not_in_channel"
    slack.joined.add("C0SALES01")
    assert client.chat_postMessage(channel="#sales", text="x")["channel"] == "C0SALES01"


# ----- DMs -----


def test_conversations_open_gives_stable_dm_and_posting_there_works(slack, client):
    user = next(u for u in slack.users if not u["deleted"])
    first = client.conversations_open(users=user["id"])
    again = client.conversations_open(users=[user["id"]], return_im=True)

    dm = first["channel"]["id"]
    assert dm.startswith("D") and again["channel"]["id"] == dm
    assert again["already_open"] and again["channel"]["user"] == user["id"]
    posted = client.chat_postMessage(channel=dm, text="You got a lead")
    assert posted["channel"] == dm and slack.messages_in(dm)[0]["text"] == "You got a lead"


def test_conversations_open_errors(slack, client):
    error = error_of(lambda: client.conversations_open(users="U404"))
    assert error.response["error"] == "user_not_found"
    deleted = next(u for u in slack.users if u["deleted"])
    error = error_of(lambda: client.conversations_open(users=deleted["id"]))
    assert error.response["error"] == "user_disabled"


def test_posting_to_a_user_id_lands_in_their_dm(slack, client):
    user = next(u for u in slack.users if not u["deleted"])
    posted = client.chat_postMessage(channel=user["id"], text="hi")
    assert posted["channel"] == slack.dms[user["id"]]


# ----- update and history -----


def test_chat_update(slack, client):
    posted = client.chat_postMessage(channel="C0LEADS01", text="Lead: unclaimed")
    updated = client.chat_update(channel="C0LEADS01", ts=posted["ts"], text="Lead: claimed by Ana")

    assert updated["ts"] == posted["ts"] and updated["text"] == "Lead: claimed by Ana"
    assert updated["message"]["edited"]["user"] == slack.bot_user_id
    assert slack.messages[0]["text"] == "Lead: claimed by Ana"
    error = error_of(lambda: client.chat_update(channel="C0LEADS01", ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"


def test_history_newest_first_with_metadata_only_when_asked(client):
    first = client.chat_postMessage(channel="C0LEADS01", text="one", metadata=METADATA)
    client.chat_postMessage(channel="C0LEADS01", text="two")

    plain = client.conversations_history(channel="C0LEADS01")
    assert [m["text"] for m in plain["messages"]] == ["two", "one"]
    assert "metadata" not in plain["messages"][1] and plain["has_more"] is False
    full = client.conversations_history(channel="C0LEADS01", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == METADATA
    newer = client.conversations_history(channel="C0LEADS01", oldest=first["ts"])
    assert [m["text"] for m in newer["messages"]] == ["two"]
    both = client.conversations_history(channel="C0LEADS01", oldest=first["ts"], inclusive=True)
    assert len(both["messages"]) == 2


def test_history_pagination(slack, client):
    for i in range(7):
        client.chat_postMessage(channel="C0LEADS01", text=str(i))
    texts = [
        m["text"]
        for page in client.conversations_history(channel="C0LEADS01", limit=3)
        for m in page["messages"]
    ]
    assert texts == [str(i) for i in reversed(range(7))]
    assert len(slack.calls_to("conversations.history")) == 3


def test_history_needs_membership(slack, client):
    slack.add_channel("C0SALES01", "sales", member=False)
    error = error_of(lambda: client.conversations_history(channel="C0SALES01"))
    assert error.response["error"] == "not_in_channel"


# ----- fault injection -----


def test_server_error_without_and_with_retry_handler(slack):
    slack.fail_next("chat.postMessage", status=500)
    plain = WebClient(token="xoxb-test", base_url=slack.url)
    error = error_of(lambda: plain.chat_postMessage(channel="C0LEADS01", text="x"))
    assert error.response.status_code == 500 and error.response["error"] == "internal_error"
    assert slack.messages == []

    slack.fail_next("chat.postMessage", status=503)
    handler = ServerErrorRetryHandler(max_retry_count=1, interval_calculator=FAST)
    retrying = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=[handler])
    assert retrying.chat_postMessage(channel="C0LEADS01", text="x")["ok"]
    assert len(slack.calls_to("chat.postMessage")) == 3 and len(slack.messages) == 1


def test_rate_limited_then_retried_after_retry_after(slack):
    slack.fail_next("users.list", retry_after=1)
    plain = WebClient(token="xoxb-test", base_url=slack.url)
    error = error_of(plain.users_list)
    assert error.response.status_code == 429 and error.response["error"] == "ratelimited"
    assert error.response.headers["Retry-After"] == "1"

    slack.fail_next("users.list", retry_after=1)
    retrying = WebClient(
        token="xoxb-test", base_url=slack.url, retry_handlers=[RateLimitErrorRetryHandler()]
    )
    started = time.monotonic()
    assert retrying.users_list()["ok"]
    assert time.monotonic() - started >= 1
    attempts = slack.calls_to("users.list")[1:]
    assert attempts[1].time - attempts[0].time >= 1


def test_api_errors_can_be_injected(slack, client):
    slack.fail_next("chat.postMessage", error="not_in_channel")
    error = error_of(lambda: client.chat_postMessage(channel="C0LEADS01", text="x"))
    assert error.response["error"] == "not_in_channel" and error.response.status_code == 200
    assert client.chat_postMessage(channel="C0LEADS01", text="x")["ok"]  # only the next one
    slack.fail_next("*", error="invalid_auth", times=2)
    assert error_of(client.auth_test).response["error"] == "invalid_auth"
    assert error_of(client.users_list).response["error"] == "invalid_auth"
    assert client.auth_test()["ok"]


def test_tier_rate_limit(slack, client):
    slack.rate_limit("users.list", per_minute=2)
    client.users_list()
    client.users_list()
    error = error_of(client.users_list)
    assert error.response.status_code == 429
    assert 55 <= int(error.response.headers["Retry-After"]) <= 60
    assert client.auth_test()["ok"]  # other methods are not limited
    slack.rate_limit("users.list", None)
    assert client.users_list()["ok"]


def test_dropped_connection(slack):
    slack.drop_connection_next("auth.test")
    bare = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=[])
    with pytest.raises(RemoteDisconnected):
        bare.auth_test()

    slack.drop_connection_next("auth.test")
    handler = ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=FAST)
    retrying = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=[handler])
    assert retrying.auth_test()["ok"]
    assert len(slack.calls_to("auth.test")) == 3


def test_delay_beyond_client_timeout(slack):
    slack.delay("users.list", 1.5)
    impatient = WebClient(token="xoxb-test", base_url=slack.url, timeout=0.3)
    with pytest.raises(TimeoutError):
        impatient.users_list()
    slack.delay("users.list", 0)
    assert impatient.users_list()["ok"]


def test_reset(slack, client):
    client.chat_postMessage(channel="C0LEADS01", text="x")
    slack.fail_next("auth.test", error="invalid_auth")
    slack.reset()
    assert slack.messages == [] and slack.calls == []
    assert client.auth_test()["ok"] and slack.users and slack.channels == {"C0LEADS01": "leads"}
