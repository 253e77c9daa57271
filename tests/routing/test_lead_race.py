"""A lead inserted by a concurrent chat between our read and our insert (#16 item 1:
the insert takes no savepoint; the routing transaction is run again instead)."""

import pytest

from routing import actions
from routing.actions import routing as routing_actions
from routing.models import Chat, Lead

pytestmark = pytest.mark.django_db


def test_a_lead_inserted_meanwhile_is_routed_as_a_known_lead(workspace, make_rep, monkeypatch):
    make_rep("Dana")
    actions.route_chat(workspace, {"lead": {"email": "race@bigco.com"}})
    real = routing_actions._known_lead
    calls = []

    def missed_once(ws, email):
        calls.append(email)
        return None if len(calls) == 1 else real(ws, email)  # the first read misses it

    monkeypatch.setattr(routing_actions, "_known_lead", missed_once)
    routed = actions.route_chat(workspace, {"lead": {"email": "race@bigco.com", "name": "Rae"}})
    assert len(calls) == 2  # the transaction ran again after the insert failed
    assert Lead.objects.filter(email="race@bigco.com").count() == 1
    lead = Lead.objects.get(email="race@bigco.com")
    assert lead.name == "Rae" and routed.chat.lead_id == lead.id
    assert routed.context["session"]["is_returning"] is True
    assert Chat.objects.filter(lead=lead).count() == 2


def test_a_new_lead_is_inserted_once_with_its_first_touch(workspace, make_rep):
    make_rep("Dana")
    routed = actions.route_chat(
        workspace,
        {"lead": {"email": "new@bigco.com", "name": "Nia"}, "utm": {"source": "google"}},
    )
    lead = Lead.objects.get(email="new@bigco.com")
    assert lead.name == "Nia" and lead.first_touch == routed.context["attribution"]
    assert routed.context["signals"]["engagement_score"] is not None
