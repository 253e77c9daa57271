"""company.* field by field: the caller, then the CRM account, then the provider;
each field's source in the context; failures are gaps, never a failed routing."""

import pytest

from crm.models import LocalAccount
from enrichment.models import Company
from routing import actions
from routing.context import company_namespace
from routing.engine import source_lines
from routing.facts import CrmFacts, EnrichmentFacts

LOCAL = EnrichmentFacts(
    provider="local",
    company={"name": "Acme Inc", "employees": 1200, "industry": "Software", "country": "US"},
)


def test_each_field_comes_from_the_first_source_that_has_it():
    crm = CrmFacts(namespace={"exists": True, "system": "hubspot"}, company={"name": "ACME"})
    company, sources, gap = company_namespace({"country": "DE"}, crm, LOCAL, "acme.com")
    assert company == {"name": "ACME", "industry": "Software", "employees": 1200, "country": "DE"}
    assert sources == {
        "company.name": "crm: hubspot",
        "company.industry": "enrichment: local",
        "company.employees": "enrichment: local",
        "company.country": "caller",
    }
    assert gap is None
    lines = source_lines({"company": company, "sources": sources})
    assert "company.employees = 1,200 (enrichment: local)" in lines
    assert "company.country = DE (caller)" in lines


def test_gaps_say_why_company_facts_are_missing():
    failed = EnrichmentFacts(provider="http", error="timeout after 0.8 s")
    assert company_namespace({}, None, failed, "acme.com")[2] == (
        "enrichment unavailable (timeout after 0.8 s)"
    )
    partial = company_namespace({"name": "Acme"}, None, failed, "acme.com")
    assert partial[0] == {"name": "Acme"} and "only the caller's" in partial[2]
    unknown = company_namespace({}, None, EnrichmentFacts(provider="local"), "x.com")
    assert unknown[2] == "enrichment: local knows no company at x.com"
    personal = EnrichmentFacts(provider="local", skipped="personal email domain (gmail.com)")
    assert company_namespace({}, None, personal, "gmail.com")[2] == personal.skipped


@pytest.fixture
def rule(workspace, make_rep):
    big, small = make_rep("Big"), make_rep("Small")
    rule = actions.create_rule(workspace, kind="chat", name="Inbound", is_default=False)
    actions.add_segment(
        rule,
        name="Big companies",
        conditions={"field": "company.employees", "op": "gt", "value": 200},
        assignee={"type": "rep", "id": big.id},
    )
    rule.refresh_from_db()
    return rule, big, small


@pytest.mark.django_db
def test_a_lead_with_only_an_email_matches_a_company_segment(workspace, rule):
    rule, big, _ = rule
    Company.objects.create(workspace=workspace, domain="globex.com", name="Globex", employees=5400)
    LocalAccount.objects.create(workspace=workspace, name="Globex Corporation", domain="globex.com")
    routed = actions.simulate(workspace, rule, payload={"lead": {"email": "nina@eu.globex.com"}})
    assert routed.outcome.segment is not None and routed.outcome.segment.name == "Big companies"
    # eu.globex.com is no CRM account, so the name comes from the company table too
    assert routed.context["company"]["employees"] == 5400
    assert routed.context["sources"]["company.employees"] == "enrichment: local"
    # ...and the trace says where each company fact came from (issue 15 item 2).
    assert "company.employees = 5,400 (enrichment: local)" in routed.outcome.trace["lines"]

    exact = actions.simulate(workspace, rule, payload={"lead": {"email": "nina@globex.com"}})
    assert exact.context["company"]["name"] == "Globex Corporation"
    assert exact.context["sources"]["company.name"] == "crm: local"


@pytest.mark.django_db
def test_a_failing_provider_still_routes_with_a_gap(workspace, rule, settings):
    rule, _, _ = rule
    from enrichment.models import EnrichmentSettings

    EnrichmentSettings.objects.create(
        workspace=workspace,
        provider="http",
        http_url_template="http://127.0.0.1:9/{domain}",
        http_mapping={"employees": "employees"},
    )
    routed = actions.simulate(workspace, rule, payload={"lead": {"email": "a@acme.com"}})
    assert routed.outcome.assignee is not None
    assert "company" not in routed.context or not routed.context["company"]
    assert routed.outcome.trace["gaps"]["company"].startswith("enrichment unavailable")
