"""The demo ships a company table, so a lead who gives only an email on the
public page matches a company segment, with each company fact's source."""

import io

import pytest
from django.core.management import call_command

from demo.companies import rows
from enrichment.models import Company
from routing import actions
from routing.models import Workspace

pytestmark = pytest.mark.django_db


def test_the_table_is_deterministic_and_believable():
    table = rows()
    assert table == rows() and len(table) == 300
    assert len({r["domain"] for r in table}) == 300
    assert {"globex.com", "hooli.xyz"} <= {r["domain"] for r in table}
    sizes = [r["employees"] for r in table]
    assert min(sizes) >= 10 and max(sizes) > 10_000
    assert sum(s > 200 for s in sizes) > 50 and sum(s <= 200 for s in sizes) > 50


def test_nina_at_globex_from_the_public_page_hits_a_company_segment(client):
    call_command("seed_demo", chats=0, stdout=io.StringIO())
    workspace = Workspace.objects.get(slug="demo-co")
    assert Company.objects.filter(workspace=workspace).count() == 300
    response = client.post(
        f"/l/{workspace.slug}/g2-listing/",
        {"email": "nina@globex.com", "name": "Nina", "message": "demo and pricing for 300 seats"},
    )
    assert response.status_code in (200, 302)
    decision = workspace.decisions.order_by("-id").first()
    assert decision.lead.email == "nina@globex.com"
    assert decision.segment_name == "Enterprise from G2 / LinkedIn"
    assert decision.context["company"]["employees"] == 5400
    assert decision.context["sources"]["company.employees"] == "enrichment: local"
    assert decision.context["sources"]["company.name"] == "crm: local"  # the CRM account


def test_a_personal_email_gets_no_company(client):
    call_command("seed_demo", chats=0, stdout=io.StringIO())
    workspace = Workspace.objects.get(slug="demo-co")
    routed = actions.route_chat(
        workspace, {"lead": {"email": "nina@gmail.com"}, "link": "g2-listing"}
    )
    assert not routed.context["company"]
    assert "personal email domain" in routed.outcome.trace["gaps"]["company"]


def test_any_seeded_company_routes_from_the_public_page_with_each_facts_source(client):
    """Issue 15 "Done when": someone@<a seeded domain> (not in the demo CRM) from the
    public page matches a company-size segment; the trace names every fact's source."""
    call_command("seed_demo", chats=0, stdout=io.StringIO())
    workspace = Workspace.objects.get(slug="demo-co")
    company = (
        Company.objects.filter(workspace=workspace, employees__gt=1000)
        .exclude(domain="globex.com")
        .order_by("domain")
        .first()
    )
    response = client.post(
        f"/l/{workspace.slug}/g2-listing/",
        {"email": f"someone@{company.domain}", "name": "Some One", "message": "pricing"},
    )
    assert response.status_code in (200, 302)
    decision = workspace.decisions.order_by("-id").first()
    assert decision.lead.email == f"someone@{company.domain}"
    assert decision.segment_name == "Enterprise from G2 / LinkedIn"
    facts = {k: v for k, v in decision.context["sources"].items() if k.startswith("company.")}
    assert set(facts) >= {"company.name", "company.employees", "company.industry"}
    assert set(facts.values()) == {"enrichment: local"}
    lines = decision.trace["lines"]
    assert f"company.employees = {company.employees:,} (enrichment: local)" in lines
    for field in facts:
        assert any(
            line.startswith(f"{field} = ") and "(enrichment: local)" in line for line in lines
        )
