"""Issue 14 hardening: JSON pasted in a console textarea is refused like the API
refuses it: a NUL ("\\u0000") or a lone surrogate ("\\ud800") is a form error beside
the field, the page answers 400 and nothing is saved."""

import re

import pytest

from routing.models import Segment

from .conftest import url

pytestmark = pytest.mark.django_db

NUL = '{"field": "lead.country", "op": "eq", "value": "F\\u0000R"}'
SURROGATE = '{"field": "lead.country", "op": "eq", "value": "\\ud800"}'
BAD_KEY = '{"all": [], "\\u0000": 1}'


def beside(page: str, name: str) -> str:
    rows = re.findall(r'<div class="form-row field-error">.*?</div>', page, re.S)
    return next(r for r in rows if f'name="{name}"' in r)


@pytest.mark.parametrize(
    ("conditions", "text"),
    [
        (NUL, "The conditions (at value) contains a NUL character"),
        (SURROGATE, "The conditions (at value) contains a lone UTF-16 surrogate (\\ud800)"),
        (BAD_KEY, "The conditions (at \\u0000) contains a NUL character"),
    ],
)
def test_segment_conditions_refuse_nul_and_lone_surrogates(
    console, workspace, rule, conditions, text
):
    before = list(Segment.objects.filter(rule=rule).values_list("id", "conditions"))
    response = console.post(
        url(workspace, f"rules/{rule.id}/segments/new/"),
        {"name": "Broken", "conditions": conditions, "assignee_type": "workspace_default"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert text in page
    assert list(Segment.objects.filter(rule=rule).values_list("id", "conditions")) == before


@pytest.mark.parametrize(
    ("context", "text"),
    [
        ('{"lead": {"email": "a@b.co", "name": "\\u0000"}}', "(at lead.name) contains a NUL"),
        ('{"tags": ["ok", "\\udfff"]}', "(at tags[1]) contains a lone UTF-16 surrogate"),
    ],
)
def test_test_a_lead_context_refuses_nul_and_lone_surrogates(
    console, workspace, rule, context, text
):
    response = console.post(url(workspace, f"rules/{rule.id}/test/"), {"context_json": context})
    assert response.status_code == 400
    page = response.content.decode()
    fields = page[page.index('id="test-fields"') :]
    assert "The context " + text in beside(fields, "context_json")


def test_a_clean_context_still_simulates(console, workspace, rule):
    context = '{"lead": {"email": "a@b.co", "name": "Zo\\u00eb"}}'
    response = console.post(url(workspace, f"rules/{rule.id}/test/"), {"context_json": context})
    assert response.status_code == 200
