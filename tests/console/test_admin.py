import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from routing.models import RoutingRule, Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.test", "pw"))
    return client


def test_every_routing_model_is_registered_and_lists(root, rule):
    models = [m for m in admin.site._registry if m._meta.app_label == "routing"]
    assert len(models) == 15
    for model in models:
        opts = model._meta
        response = root.get(f"/admin/routing/{opts.model_name}/?q=a")
        assert response.status_code == 200, opts.model_name


def test_segments_are_reordered_in_the_admin_through_the_action(root, rule):
    big, support, fallback = Segment.objects.filter(rule=rule).order_by("order")
    page = root.get(f"/admin/routing/routingrule/{rule.id}/change/")
    assert page.status_code == 200
    data = {
        "name": rule.name,
        "monitoring_channel": "#moved",
        "segments-TOTAL_FORMS": "3",
        "segments-INITIAL_FORMS": "3",
        "segments-MIN_NUM_FORMS": "0",
        "segments-MAX_NUM_FORMS": "1000",
    }
    for i, (seg, order) in enumerate(((big, 5), (support, 1), (fallback, 0))):
        data.update({f"segments-{i}-id": seg.id, f"segments-{i}-rule": rule.id})
        data[f"segments-{i}-position"] = order
    response = root.post(f"/admin/routing/routingrule/{rule.id}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    names = list(Segment.objects.filter(rule=rule).order_by("order").values_list("name", flat=True))
    assert names == ["Support", "Big", "Fallback"]  # the fallback stays last whatever was typed
    rule.refresh_from_db()
    assert rule.monitoring_channel == "#moved"
    assert rule.version == RoutingRule.objects.get(id=rule.id).versions.count()


def test_admin_changes_nothing_over_get(root, rule):
    before = list(Segment.objects.filter(rule=rule).values_list("id", "order"))
    for path in ("move-up", "move-down", "move-top"):
        root.get(f"/admin/routing/segment/{before[0][0]}/{path}/")
    assert list(Segment.objects.filter(rule=rule).values_list("id", "order")) == before
