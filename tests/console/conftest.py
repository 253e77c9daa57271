import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from routing import actions
from routing.models import Membership


@pytest.fixture
def staff(workspace):
    user = get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    return user


@pytest.fixture
def console(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def rule(workspace, make_rep):
    rep = make_rep("Dana")
    rule = actions.create_rule(workspace, kind="chat", name="Inbound")
    actions.add_segment(
        rule,
        name="Big",
        conditions={"field": "company.employees", "op": "gt", "value": 200},
        assignee={"type": "rep", "id": rep.id},
    )
    actions.add_segment(
        rule,
        name="Support",
        conditions={"field": "intent.type", "op": "eq", "value": "support"},
        assignee={"type": "rep", "id": rep.id},
    )
    rule.refresh_from_db()
    return rule


def url(workspace, path=""):
    return f"/w/{workspace.id}/{path}"
