"""The routing-context field catalog (SPEC section 3)."""

import dataclasses

import pytest

from routing import catalog
from routing.catalog import FIELDS, NAMESPACES, OPERATOR_LABELS, OPERATORS_BY_TYPE, Field
from routing.conditions import OPERATORS

# Every field named in SPEC 3's table, with the type the UI must offer.
SPEC_FIELDS = {
    "lead.email": "email",
    "lead.name": "string",
    "lead.domain": "string",
    "lead.is_personal_email": "bool",
    "lead.country": "string",
    "lead.title": "string",
    "company.name": "string",
    "company.domain": "string",
    "company.industry": "string",
    "company.employees": "int",
    "company.revenue": "int",
    "company.country": "string",
    "company.hq_city": "string",
    "company.tech": "list",
    "session.device": "choice",
    "session.country": "string",
    "session.city": "string",
    "session.page_url": "string",
    "session.referrer": "string",
    "session.pages_viewed": "int",
    "session.time_on_site": "int",
    "session.is_returning": "bool",
    "attribution.source": "string",
    "attribution.medium": "string",
    "attribution.campaign": "string",
    "attribution.term": "string",
    "attribution.content": "string",
    "attribution.channel": "string",
    "attribution.referrer_domain": "string",
    "intent.type": "choice",
    "intent.score": "choice",
    "crm.exists": "bool",
    "crm.system": "choice",
    "crm.record_type": "choice",
    "crm.owner_email": "email",
    "crm.owner_rep": "int",
    "crm.lifecycle_stage": "string",
    "crm.status": "string",
    "signals.funnel_stage": "choice",
    "signals.crm_status": "choice",
    "signals.engagement_score": "int",
    "link.slug": "string",
    "link.channel": "string",
    "link.name": "string",
}


def test_catalog_covers_spec_table_with_types():
    assert set(FIELDS) == set(SPEC_FIELDS)
    for path, type_ in SPEC_FIELDS.items():
        assert FIELDS[path].type == type_, path
        assert FIELDS[path].path == path


@pytest.mark.parametrize(
    ("path", "choices"),
    [
        ("session.device", ("desktop", "mobile", "tablet")),
        ("intent.type", ("buying", "partnership", "support", "job_seeker", "unknown")),
        ("intent.score", ("high", "medium", "low")),
        ("crm.system", ("salesforce", "hubspot", "marketo", "local")),
        ("crm.record_type", ("lead", "contact", "account")),
        ("signals.funnel_stage", ("first_seen", "existing", "opportunity", "customer")),
        ("signals.crm_status", ("exists", "not_found")),
    ],
)
def test_choice_fields_list_their_choices(path, choices):
    assert FIELDS[path].choices == choices


def test_only_choice_fields_have_choices_and_types_are_known():
    for f in FIELDS.values():
        assert f.type in catalog.TYPES
        assert bool(f.choices) == (f.type == "choice"), f.path
        assert f.path.split(".")[0] in NAMESPACES
        assert f.label and f.label != f.path


def test_namespaces():
    assert NAMESPACES == (
        "lead",
        "company",
        "session",
        "attribution",
        "intent",
        "crm",
        "signals",
        "link",
        "custom",
    )


def test_field_is_frozen_with_defaults():
    f = Field(path="custom.x", label="X", type="string")
    assert f.choices == () and f.help == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.label = "Y"  # type: ignore[misc]


def test_labels_are_human():
    assert catalog.label("company.employees") == "Company employees"
    assert catalog.label("attribution.channel") == "Attribution channel"
    assert catalog.label("intent.type") == "Intent type"
    assert len({f.label for f in FIELDS.values()}) == len(FIELDS)  # no two alike


def test_open_prefixes_are_synthesized():
    plan = catalog.field_info("custom.plan")
    assert plan == Field(path="custom.plan", label="Custom: plan", type="string")
    industry = catalog.field_info("crm.fields.Industry__c")
    assert industry.label == "CRM field: Industry__c"
    assert industry.type == "string"
    # The remainder may contain dots.
    assert catalog.field_info("crm.fields.Account.Name").label == "CRM field: Account.Name"
    assert catalog.label("custom.team size") == "Custom: team size"


@pytest.mark.parametrize(
    "path", ["company.funding", "custom", "custom.", "crm.fields.", "nope.x", "", None, 3, ["x"]]
)
def test_field_info_raises_key_error_for_anything_else(path):
    with pytest.raises(KeyError):
        catalog.field_info(path)


@pytest.mark.parametrize("path", ["company.funding", "nope", "", "custom."])
def test_label_falls_back_to_the_path(path):
    assert catalog.label(path) == path


def test_label_never_raises():
    assert catalog.label(None) == "<NoneType>"  # type: ignore[arg-type]
    assert catalog.label(["unhashable"]) == "<list>"  # type: ignore[arg-type]


def test_operators_by_type_use_real_operators():
    assert set(OPERATORS_BY_TYPE) == set(catalog.TYPES)
    for type_, ops in OPERATORS_BY_TYPE.items():
        assert ops, type_
        assert len(set(ops)) == len(ops), type_
        assert set(ops) <= set(OPERATORS), type_
        assert {"exists", "not_exists"} <= set(ops)
    assert "gt" in OPERATORS_BY_TYPE["int"] and "between" in OPERATORS_BY_TYPE["int"]
    assert "gt" not in OPERATORS_BY_TYPE["string"]
    assert "domain_in" in OPERATORS_BY_TYPE["email"]
    assert "is_true" in OPERATORS_BY_TYPE["bool"] and "eq" not in OPERATORS_BY_TYPE["bool"]
    assert "contains" in OPERATORS_BY_TYPE["list"]


def test_operators_for_adds_domain_in_to_domain_fields():
    assert "domain_in" in catalog.operators_for("company.domain")
    assert "domain_in" in catalog.operators_for("attribution.referrer_domain")
    assert "domain_in" not in catalog.operators_for("company.name")
    assert catalog.operators_for("company.employees") == OPERATORS_BY_TYPE["int"]
    assert catalog.operators_for("custom.plan") == OPERATORS_BY_TYPE["string"]
    assert catalog.operators_for("company.unknown") == OPERATORS_BY_TYPE["string"]


def test_operator_labels():
    assert set(OPERATOR_LABELS) == set(OPERATORS)
    expected = {
        "eq": "is",
        "neq": "is not",
        "in": "is one of",
        "not_in": "is not one of",
        "gt": ">",
        "gte": ">=",
        "between": "is between",
        "exists": "is known",
        "not_exists": "is unknown",
        "is_true": "is true",
        "domain_in": "domain is one of",
    }
    for op, text in expected.items():
        assert OPERATOR_LABELS[op] == text
