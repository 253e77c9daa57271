"""Issue 10 item 14: every write made in /admin/ goes through an actions module (or the
model is read-only there), and an action's refusal is a form error, not a 500.

How "through an action" is checked: a pre_save / pre_delete receiver, connected for
the project's own apps while a test runs, walks the call stack of every save and
records it when no frame belongs to a project module named `actions` (routing.actions.*,
crm.actions...). That needs no list of models or of form fields, so a model
registered later with a plain ModelAdmin fails test_every_change_page_round_trips...
as soon as the world fixture has one of its rows, and
test_every_registered_admin_is_read_only_or_saves_through_actions fails at once.
Each ActionAdmin is then driven with a real change, a real add and a refused change.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete, pre_save
from django.test import Client

from crm.models import CrmSettings, CrmUserMapping, LocalAccount, LocalContact, LocalOpportunity
from knock.admin_actions import ActionAdmin
from notifications.models import SlackEvent, SlackInteraction, SlackSettings, SlackSync
from outbox.models import Delivery
from routing import actions
from routing.models import (
    Chat,
    Decision,
    KnockLink,
    Lead,
    Membership,
    Pool,
    PoolMember,
    Rep,
    RoutingRule,
    Workspace,
)  # fmt: skip

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR).resolve()
ACTIONS_MODULE = re.compile(r"(^|\.)actions(\.|$)")


def _project_app(config) -> bool:
    path = Path(config.path).resolve()
    return path.is_relative_to(BASE) and ".venv" not in path.parts


PROJECT_APPS = {c.label for c in apps.get_app_configs() if _project_app(c)}


def _in_an_action() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if (
            ACTIONS_MODULE.search(frame.f_globals.get("__name__", ""))
            and filename.startswith(str(BASE))
            and ".venv" not in filename
        ):
            return True
        frame = frame.f_back
    return False


@pytest.fixture
def outside_actions():
    """Every project-model save or delete that no actions module is on the stack of."""
    found = []

    def check(sender, instance, **kwargs):
        if sender._meta.app_label in PROJECT_APPS and not _in_an_action():
            found.append(f"{sender._meta.label} {instance.pk}")

    pre_save.connect(check, weak=False, dispatch_uid="h3-admin-actions")
    pre_delete.connect(check, weak=False, dispatch_uid="h3-admin-actions-del")
    yield found
    pre_save.disconnect(dispatch_uid="h3-admin-actions")
    pre_delete.disconnect(dispatch_uid="h3-admin-actions-del")


@pytest.fixture
def root(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.test", "pw"))
    return client


@pytest.fixture
def world(workspace, make_rep, settings):
    """One row of every registered model (two workspaces, for cross-workspace refusals)."""
    settings.SLACK_BOT_TOKEN = ""
    dana, omar = make_rep("Dana"), make_rep("Omar")
    agent = actions.create_ai_agent(workspace, name="Helper", specialty="support")
    pool = actions.create_pool(workspace, name="Team", members=[{"rep": dana.id}])
    rule = RoutingRule.objects.get(workspace=workspace, kind="chat", is_default=True)
    actions.add_segment(rule, name="To Omar", conditions=None,
                        assignee={"type": "rep", "id": omar.id})  # fmt: skip
    actions.update_rule(rule, monitoring_channel="#leads")
    link = actions.create_link(workspace, slug="web", name="Web", chat_rule=rule.id)
    actions.route_chat(workspace, {"lead": {"email": "ann@bigco.com"}, "link": "web"})
    user = get_user_model().objects.create_user("ops", password="pw", is_staff=True)
    actions.add_member(workspace, user)
    other, _ = actions.create_workspace("Globex")
    stranger = actions.create_rep(other, name="Stranger", email="s@globex.test")
    account = LocalAccount.objects.create(workspace=workspace, name="BigCo", domain="bigco.com")
    foreign_account = LocalAccount.objects.create(workspace=other, name="Globex", domain="g.com")
    LocalContact.objects.create(workspace=workspace, email="ann@bigco.com", account=account)
    LocalOpportunity.objects.create(workspace=workspace, account=account, name="Renewal")
    CrmSettings.objects.create(workspace=workspace, backend="local")
    CrmUserMapping.objects.create(workspace=workspace, crm_user_id="41", rep=dana)
    SlackSettings.objects.create(workspace=workspace, default_channel="#leads")
    SlackEvent.objects.create(event_id="Ev1", payload={})
    SlackInteraction.objects.create(key="k" * 64, action_id="knock_join")
    SlackSync.objects.create(workspace=workspace)
    return {
        "workspace": workspace, "other": other, "dana": dana, "omar": omar, "agent": agent,
        "pool": pool, "rule": rule, "link": link, "stranger": stranger, "account": account,
        "foreign_account": foreign_account, "other_rule": RoutingRule.objects.get(
            workspace=other, kind="chat", is_default=True),
    }  # fmt: skip


# -- the form as the admin renders it ----------------------------------------------------


class _Form(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or not attrs.get("name"):
            if tag == "option" and self._select and "selected" in attrs:
                self.data.append((self._select, attrs.get("value", "")))
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self.data.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self._textarea and self.data and self.data[-1][0] == self._textarea:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data)


def form_data(page, model) -> dict:
    parser = _Form(f"{model._meta.model_name}_form")
    parser.feed(page.content.decode())
    data: dict = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value.lstrip("\n") if value else value)
    assert data, f"no form on the {model._meta.label} page"
    return data


def change_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def post_change(root, obj, **changes):
    page = root.get(change_url(obj))
    assert page.status_code == 200
    data = form_data(page, type(obj))
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    return root.post(change_url(obj), data)


# -- every registered model ----------------------------------------------------------------


def _registered():
    return [(m, a) for m, a in admin.site._registry.items() if m._meta.app_label in PROJECT_APPS]


def test_every_registered_admin_is_read_only_or_saves_through_actions(rf):
    request = rf.get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    plain = []
    for model, model_admin in _registered():
        writes = any(
            check(request)
            for check in (model_admin.has_add_permission, model_admin.has_change_permission,
                          model_admin.has_delete_permission)
        )  # fmt: skip
        if writes and not isinstance(model_admin, ActionAdmin):
            plain.append(model._meta.label)
    assert plain == []


def test_every_change_page_round_trips_without_a_save_outside_actions(root, world, outside_actions):
    seen = set()
    for model, model_admin in _registered():
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        seen.add(model)
        page = root.get(change_url(obj))
        assert page.status_code == 200, model._meta.label
        response = root.post(change_url(obj), form_data(page, model))
        expected = 302 if model_admin.has_change_permission(page.wsgi_request, obj) else 403
        assert response.status_code == expected, (model._meta.label, response.content[:3000])
    assert {Workspace, Rep, Pool, KnockLink, Chat, Decision, Delivery, LocalContact} <= seen
    assert outside_actions == []


@pytest.mark.parametrize("model", [Delivery, SlackEvent, Decision, Chat, Lead, PoolMember])
def test_ledgers_cannot_be_changed_or_deleted(root, world, model):
    obj = model._default_manager.first()
    before = model._default_manager.count()
    assert root.post(change_url(obj), {}).status_code == 403
    assert (
        root.post(change_url(obj).replace("/change/", "/delete/"), {"post": "yes"}).status_code
        == 403
    )
    assert model._default_manager.count() == before


def test_the_checker_sees_a_save_outside_an_action(world, outside_actions):
    actions.create_rep(world["workspace"], name="Via action", email="via@acme.test")
    assert outside_actions == []
    Rep.objects.create(workspace=world["workspace"], name="Direct", email="direct@acme.test")
    assert outside_actions == [f"routing.Rep {None}"]


# -- real changes and adds go through the actions -------------------------------------------


def _versioned(world, rule, channel) -> bool:
    """update_rule ran: the change is in a new rule version, not only on the row."""
    latest = rule.versions.get(version=rule.version).snapshot
    return rule.monitoring_channel == channel == latest["rule"]["monitoring_channel"]


CHANGES = {
    "workspace": ("workspace", {"name": "Acme Renamed"}, lambda w, o: o.name == "Acme Renamed"),
    "rep": ("dana", {"email": "Dana.New@Acme.test"}, lambda w, o: o.email == "dana.new@acme.test"),
    "ai agent": ("agent", {"name": "Renamed"}, lambda w, o: o.name == "Renamed"),
    "link": ("link", {"name": "Website"}, lambda w, o: o.name == "Website"),
    "rule": ("rule", {"monitoring_channel": "#vip"}, lambda w, o: _versioned(w, o, "#vip")),
    "local account": ("account", {"domain": "BIGCO.IO"}, lambda w, o: o.domain == "bigco.io"),
}


@pytest.mark.parametrize("case", list(CHANGES))
def test_a_change_is_saved_by_its_action(case, root, world, outside_actions):
    key, changes, check = CHANGES[case]
    obj = world[key]
    response = post_change(root, obj, **changes)
    assert response.status_code == 302, response.content.decode()[:3000]
    obj.refresh_from_db()
    assert check(world, obj), obj.__dict__
    assert outside_actions == []


def test_pool_members_are_set_by_update_pool(root, world, outside_actions):
    pool, omar = world["pool"], world["omar"]
    data = form_data(root.get(change_url(pool)), Pool)
    data.update({"members-TOTAL_FORMS": ["2"], "members-1-rep": [str(omar.id)],
                 "members-1-weight": ["3"], "members-1-pool": [str(pool.id)]})  # fmt: skip
    response = root.post(change_url(pool), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert dict(pool.members.values_list("rep__name", "weight")) == {"Dana": 1, "Omar": 3}
    assert outside_actions == []


def test_adds_go_through_the_actions(root, world, outside_actions):
    workspace = world["workspace"]
    response = root.post("/admin/routing/rep/add/", {
        "workspace": workspace.id, "name": "Zoe", "email": "Zoe@Acme.test", "timezone": "UTC",
        "crm_user_ids": "[]", "working_hours": "{}", "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Rep.objects.get(name="Zoe").email == "zoe@acme.test"  # cleaned by the action

    response = root.post("/admin/routing/workspace/add/", {"name": "Initech"})
    assert response.status_code == 302
    initech = Workspace.objects.get(name="Initech")
    assert initech.default_ai_agent is not None and initech.rules.count() == 2  # the defaults

    ops = get_user_model().objects.create_user("ops2", password="pw", is_staff=True)
    response = root.post(
        "/admin/routing/membership/add/", {"workspace": initech.id, "user": ops.id}
    )
    assert response.status_code == 302 and Membership.objects.filter(user=ops).exists()

    response = root.post("/admin/crm/localcontact/add/", {
        "workspace": workspace.id, "email": "New@BigCo.com", "account": world["account"].id,
        "custom_fields": "{}",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert LocalContact.objects.filter(email="new@bigco.com").exists()
    assert outside_actions == []


# -- refusals are form errors --------------------------------------------------------------


def _errors(response) -> str:
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "errornote" in page or "errorlist" in page
    return page


def test_intent_rules_pointing_at_another_workspaces_rule_is_a_form_error(root, world):
    """The issue's case: every such chat would be a 404 and the lead dropped."""
    workspace, foreign = world["workspace"], world["other_rule"]
    page = _errors(post_change(root, workspace, intent_rules=f'{{"support": {foreign.id}}}'))
    assert f"support: no chat rule with id {foreign.id}." in page
    workspace.refresh_from_db()
    assert workspace.intent_rules == {}


@pytest.mark.parametrize("field", ["default_rep", "default_ai_agent"])
def test_workspace_defaults_from_another_workspace_are_a_form_error(field, root, world):
    workspace, other = world["workspace"], world["other"]
    foreign = world["stranger"] if field == "default_rep" else other.default_ai_agent
    before = getattr(Workspace.objects.get(id=workspace.id), f"{field}_id")
    page = _errors(post_change(root, workspace, **{field: str(foreign.id)}))
    assert "in this workspace" in page
    assert getattr(Workspace.objects.get(id=workspace.id), f"{field}_id") == before


def test_a_pool_member_from_another_workspace_is_a_form_error(root, world):
    pool, stranger = world["pool"], world["stranger"]
    data = form_data(root.get(change_url(pool)), Pool)
    data.update({"name": ["Renamed"], "members-TOTAL_FORMS": ["2"],
                 "members-1-rep": [str(stranger.id)], "members-1-weight": ["1"],
                 "members-1-pool": [str(pool.id)]})  # fmt: skip
    page = _errors(root.post(change_url(pool), data))
    assert f"No rep with id {stranger.id} in this workspace." in page
    pool.refresh_from_db()
    assert pool.name == "Team"  # the pool's own change was rolled back with the refusal
    assert list(pool.members.values_list("rep__name", flat=True)) == ["Dana"]


def test_a_link_to_another_workspaces_rule_is_a_form_error(root, world):
    link, foreign = world["link"], world["other_rule"]
    page = _errors(post_change(root, link, chat_rule=str(foreign.id)))
    assert "in this workspace" in page
    link.refresh_from_db()
    assert link.chat_rule_id == world["rule"].id


def test_a_contact_on_another_workspaces_account_is_a_form_error(root, world):
    contact = LocalContact.objects.get(email="ann@bigco.com")
    page = _errors(post_change(root, contact, account=str(world["foreign_account"].id)))
    assert "This account belongs to another workspace." in page
    contact.refresh_from_db()
    assert contact.account_id == world["account"].id


def test_a_membership_for_a_user_who_cannot_use_the_console_is_a_form_error(root, world):
    user = get_user_model().objects.create_user("rep", password="pw")  # not staff
    page = _errors(
        root.post(
            "/admin/routing/membership/add/", {"workspace": world["workspace"].id, "user": user.id}
        )
    )
    assert "is not a staff user" in page
    assert not Membership.objects.filter(user=user).exists()


def test_deleting_the_default_ai_agent_is_refused_with_a_message(root, world):
    """Django alone would delete it (the workspace's FK is SET_NULL): the action refuses."""
    agent = world["workspace"].default_ai_agent
    response = root.post(
        change_url(agent).replace("/change/", "/delete/"), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert "This is the workspace&#x27;s default AI agent" in response.content.decode()
    assert Workspace.objects.get(id=world["workspace"].id).default_ai_agent_id == agent.id


def test_a_rep_who_is_an_assignee_is_not_deleted(root, world):
    omar = world["omar"]
    response = root.post(change_url(omar).replace("/change/", "/delete/"), {"post": "yes"})
    assert response.status_code == 200  # Django's "Cannot delete" page (protected segments)
    assert Rep.objects.filter(id=omar.id).exists()


def test_deleting_an_unused_rep_goes_through_the_action(root, world, outside_actions):
    rep = actions.create_rep(world["workspace"], name="Temp", email="temp@acme.test")
    response = root.post(change_url(rep).replace("/change/", "/delete/"), {"post": "yes"})
    assert response.status_code == 302
    assert not Rep.objects.filter(id=rep.id).exists()
    assert outside_actions == []


def test_a_rep_deleted_meanwhile_is_a_message_not_a_500(root, world, monkeypatch):
    """Another request deletes the rep after the admin read it and before the action's
    lock: the action finds it gone (DoesNotExist). Nothing is written; the list says so."""
    from routing.admin import RepAdmin

    rep = actions.create_rep(world["workspace"], name="Gone", email="gone@acme.test")
    other = actions.create_rep(world["workspace"], name="Kept", email="kept@acme.test")

    def delete_meanwhile(obj):
        Rep.objects.filter(id=obj.id).delete()  # the other request
        Rep.objects.filter(id=other.id).update(name="Changed")  # would roll back with ours
        actions.delete_rep(obj)

    monkeypatch.setattr(RepAdmin, "delete_action", staticmethod(delete_meanwhile))
    response = root.post(
        change_url(rep).replace("/change/", "/delete/"), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/admin/routing/rep/")
    assert "This rep was deleted meanwhile; nothing was changed." in response.content.decode()
    # The savepoint rolled back everything the view did, the delete included.
    assert Rep.objects.get(id=other.id).name == "Kept"
    assert Rep.objects.filter(id=rep.id).exists()


def test_a_change_to_a_rep_deleted_meanwhile_does_not_bring_it_back(root, world, monkeypatch):
    """Deleted after the admin read it, before its save: the action finds it gone, and
    nothing is renamed or re-inserted (a regression pin: rep.save() must not insert it)."""
    from routing.admin import RepAdmin

    rep = actions.create_rep(world["workspace"], name="Gone", email="gone2@acme.test")
    page = root.get(change_url(rep))
    data = form_data(page, Rep)
    data["name"] = ["Renamed"]
    real = RepAdmin.save_model

    def deleted_first(self, request, obj, form, change):
        Rep.objects.filter(id=obj.id).delete()  # the other request
        return real(self, request, obj, form, change)

    monkeypatch.setattr(RepAdmin, "save_model", deleted_first)
    response = root.post(change_url(rep), data, follow=True)
    assert response.status_code == 200
    assert "This rep was deleted meanwhile; nothing was changed." in response.content.decode()
    # Rolled back with the savepoint: the delete too, and nothing renamed or re-inserted.
    assert Rep.objects.get(id=rep.id).name == "Gone"
