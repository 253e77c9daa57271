"""The console's chat pages: list, detail, close, reopen, reassign (issue 14 item 1)."""

import pytest

from routing import actions
from routing.models import Chat, Decision

from .conftest import url


@pytest.fixture
def routed(workspace, make_rep):
    amy = make_rep("Amy")
    ben = make_rep("Ben")
    payload = {"lead": {"email": "lead@bigco.com"}, "message": "Do you integrate with SAP?"}
    routed = actions.route_chat(workspace, payload)
    return routed.chat, amy, ben


def test_chat_page_shows_message_owners_status_and_trace(console, workspace, routed):
    chat, amy, _ = routed
    page = console.get(url(workspace, f"chats/{chat.id}/")).content.decode()
    assert "Do you integrate with SAP?" in page
    assert "Amy" in page and "Open" in page
    assert 'data-testid="trace"' in page and "Segments tried" in page
    assert "no human reply yet" in page


def test_list_filters_by_status(console, workspace, routed):
    chat, _, _ = routed
    assert f'data-chat="{chat.id}"' in console.get(url(workspace, "chats/")).content.decode()
    actions.close_chat(chat, by="test")
    assert f'data-chat="{chat.id}"' not in console.get(url(workspace, "chats/")).content.decode()
    closed = console.get(url(workspace, "chats/?status=closed")).content.decode()
    assert f'data-chat="{chat.id}"' in closed


def test_close_and_reopen_from_the_console(console, workspace, routed):
    chat, _, _ = routed
    response = console.post(url(workspace, f"chats/{chat.id}/close/"))
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.status == "closed" and chat.closed_by == "ops (console)"
    page = console.get(url(workspace, f"chats/{chat.id}/")).content.decode()
    assert "Reopen chat" in page and "ops (console)" in page
    console.post(url(workspace, f"chats/{chat.id}/reopen/"))
    chat.refresh_from_db()
    assert chat.status == "open" and chat.closed_at is None
    assert console.get(url(workspace, f"chats/{chat.id}/close/")).status_code == 405


def test_reassign_with_a_reason(console, workspace, routed):
    chat, _, ben = routed
    response = console.post(
        url(workspace, f"chats/{chat.id}/reassign/"), {"rep": ben.id, "reason": "Speaks German"}
    )
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.rep_owner == ben
    decision = Decision.objects.get(reassigned_chat=chat)
    assert decision.trace["reassigned"]["by"] == "ops (console)"
    page = console.get(url(workspace, f"chats/{chat.id}/")).content.decode()
    assert "Reassigned to Ben" in page and "Reason: Speaks German." in page
    detail = console.get(url(workspace, f"decisions/{decision.id}/")).content.decode()
    assert "Reassigned" in detail and f"chat {chat.id}" in detail


@pytest.mark.parametrize("field", ["rep", "reason"])
def test_bad_reassign_is_a_form_error_and_writes_nothing(console, workspace, routed, field):
    chat, amy, ben = routed
    data = {"rep": "nope"} if field == "rep" else {"rep": ben.id, "reason": "x" * 501}
    response = console.post(url(workspace, f"chats/{chat.id}/reassign/"), data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    chat.refresh_from_db()
    assert chat.rep_owner == amy
    assert not Decision.objects.filter(reassigned_chat=chat).exists()


def test_reassign_a_closed_chat_is_refused(console, workspace, routed):
    chat, amy, ben = routed
    actions.close_chat(chat, by="test")
    response = console.post(url(workspace, f"chats/{chat.id}/reassign/"), {"rep": ben.id})
    assert response.status_code == 400
    assert "reopen it" in response.content.decode()
    assert Chat.objects.get(id=chat.id).rep_owner == amy


def test_another_workspaces_chat_is_a_404(console, workspace, routed):
    other, _ = actions.create_workspace("Globex")
    actions.create_rep(other, name="Gina", email="gina@globex.test")
    foreign = actions.route_chat(other, {"lead": {"email": "x@y.com"}}).chat
    for path in ("", "close/", "reopen/"):
        method = console.get if not path else console.post
        assert method(url(workspace, f"chats/{foreign.id}/{path}")).status_code == 404
    assert Chat.objects.get(id=foreign.id).status == "open"


def test_feed_row_shows_a_closed_chat(console, workspace, routed):
    chat, _, _ = routed
    actions.close_chat(chat, by="test")
    page = console.get(url(workspace)).content.decode()
    assert 'id="chat-changes"' in page
    row = page.split(f'data-decision="{chat.decision.id}"')[1].split("</tr>")[0]
    assert "Closed" in row
