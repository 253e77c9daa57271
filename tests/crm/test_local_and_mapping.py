"""The local CRM backend and the CRM owner -> rep mapping."""

import pytest

from crm.backends import get_backend
from crm.backends.base import CrmError
from crm.importer import import_csv
from crm.lookup import lookup_for_workspace
from crm.mapping import remember_owner, rep_for_owner
from crm.models import CrmUserMapping, LocalAccount, LocalContact, LocalOpportunity
from routing import actions


@pytest.fixture
def local(crm_settings):
    return get_backend("local", crm_settings("local"))


@pytest.fixture
def acme(workspace):
    account = LocalAccount.objects.create(
        workspace=workspace,
        name="Acme",
        domain="acme.com",
        owner_email="olga@knock.test",
        lifecycle_stage="opportunity",
        custom_fields={"Industry": "Robotics"},
    )
    contact = LocalContact.objects.create(
        workspace=workspace,
        email="jane@acme.com",
        first_name="Jane",
        last_name="Doe",
        account=account,
        owner_email="sam@knock.test",
        lifecycle_stage="salesqualifiedlead",
        status="working",
        custom_fields={"Tier": "Gold"},
    )
    return account, contact


# ---------------------------------------------------------------------------- lookup


def test_contact_by_email(local, acme):
    account, contact = acme
    record = local.lookup("Jane@Acme.com", "acme.com")
    assert record.exists and record.system == "local"
    assert record.record_type == "contact"
    assert record.record_id == str(contact.pk)
    assert record.owner_id is None and record.owner_email == "sam@knock.test"
    assert record.lifecycle_stage == "salesqualifiedlead"
    assert record.status == "working"
    assert record.fields["Tier"] == "Gold"
    assert record.fields["first_name"] == "Jane"
    assert record.fields["account"]["Industry"] == "Robotics"
    assert record.account_id == str(account.pk) and record.account_name == "Acme"
    assert record.account_owner_email == "olga@knock.test"
    assert not record.has_open_opportunity and not record.is_customer


def test_account_by_domain_when_the_person_is_unknown(local, acme):
    account, _ = acme
    record = local.lookup("new.person@acme.com", "acme.com")
    assert record.exists and record.record_type == "account"
    assert record.record_id == str(account.pk)
    assert record.owner_email == "olga@knock.test"
    assert record.lifecycle_stage == "opportunity"
    assert record.fields["name"] == "Acme"


def test_not_found(local, acme):
    record = local.lookup("someone@globex.com", "globex.com")
    assert not record.exists
    assert record.as_context() == {"exists": False, "system": "local"}


def test_open_opportunity_and_closed_won_make_the_funnel(local, acme, workspace):
    account, _ = acme
    LocalOpportunity.objects.create(
        workspace=workspace, account=account, name="Lost", is_closed=True, is_won=False
    )
    record = local.lookup("jane@acme.com")
    assert not record.has_open_opportunity and not record.is_customer

    LocalOpportunity.objects.create(workspace=workspace, account=account, name="Expansion")
    record = local.lookup("jane@acme.com")
    assert record.has_open_opportunity and not record.is_customer

    LocalOpportunity.objects.create(
        workspace=workspace, account=account, name="First deal", is_closed=True, is_won=True
    )
    record = local.lookup("jane@acme.com")
    assert record.is_customer and record.lifecycle_stage == "customer"


def test_customer_lifecycle_without_opportunities(local, workspace):
    LocalContact.objects.create(workspace=workspace, email="c@beta.io", lifecycle_stage="Customer")
    record = local.lookup("c@beta.io", "beta.io")
    assert record.is_customer and record.lifecycle_stage == "customer"


def test_lookup_is_scoped_to_the_workspace(local, acme):
    other, _ = actions.create_workspace("Globex")
    LocalContact.objects.create(workspace=other, email="spy@globex.com", owner_email="x@y.z")
    assert not local.lookup("spy@globex.com").exists


def test_as_context_leaves_unknowns_missing(local, workspace):
    LocalContact.objects.create(workspace=workspace, email="bare@beta.io")
    ctx = local.lookup("bare@beta.io").as_context()
    assert ctx == {
        "exists": True,
        "system": "local",
        "record_type": "contact",
        "fields": {"email": "bare@beta.io"},
    }


# ------------------------------------------------------------------------ write-back


def test_write_fields_lands_in_custom_fields(local, acme):
    _, contact = acme
    names = local.field_names()
    local.write_fields(
        "contact",
        str(contact.pk),
        {names["rep_owner"]: "Sam Seller", names["response_time"]: 4.5},
    )
    contact.refresh_from_db()
    assert contact.custom_fields == {
        "Tier": "Gold",
        "Knock: Rep Owner": "Sam Seller",
        "Knock: Rep Response Time": 4.5,
    }
    local.write_fields("contact", str(contact.pk), {"Knock: Rep Owner": None})
    contact.refresh_from_db()
    assert "Knock: Rep Owner" not in contact.custom_fields
    # and the console (and the next lookup) sees it
    assert local.lookup("jane@acme.com").fields["Knock: Rep Response Time"] == 4.5


def test_write_fields_on_an_account(local, acme):
    account, _ = acme
    local.write_fields("account", str(account.pk), {"Knock: Meeting Owner": "Olga"})
    account.refresh_from_db()
    assert account.custom_fields["Knock: Meeting Owner"] == "Olga"


@pytest.mark.parametrize(
    ("record_type", "record_id", "code"),
    [
        ("contact", "999999", "not_found"),
        ("contact", "abc", "not_found"),
        ("lead", "1", "bad_record_type"),
        ("opportunity", "1", "bad_record_type"),
    ],
)
def test_write_fields_refusals_are_permanent(local, acme, record_type, record_id, code):
    with pytest.raises(CrmError) as info:
        local.write_fields(record_type, record_id, {"x": "y"})
    assert info.value.permanent and info.value.code == code


def test_write_fields_cannot_reach_another_workspace(local):
    other, _ = actions.create_workspace("Globex")
    foreign = LocalContact.objects.create(workspace=other, email="a@globex.com")
    with pytest.raises(CrmError):
        local.write_fields("contact", str(foreign.pk), {"x": "y"})
    foreign.refresh_from_db()
    assert foreign.custom_fields == {}


def test_local_crm_end_to_end_from_csv(workspace, make_rep):
    """Import a CSV, look a lead up through the workspace's configured backend, map the owner."""
    sam = make_rep(name="Sam", email="sam@knock.test")
    csv_text = (
        "email,first_name,company,domain,owner_email,lifecycle_stage,Plan\n"
        "lee@initech.com,Lee,Initech,initech.com,SAM@knock.test,lead,Enterprise\n"
    )
    import io

    import_csv(workspace, io.StringIO(csv_text))
    record = lookup_for_workspace(workspace, "lee@initech.com", "initech.com")
    assert record.exists and record.fields["Plan"] == "Enterprise"
    assert record.account_name == "Initech"
    assert rep_for_owner(workspace, record.owner_id, record.owner_email) == sam


# --------------------------------------------------------------------------- mapping


def test_rep_for_owner_by_email_case_insensitively(workspace, make_rep):
    rep = make_rep(email="Sam.Seller@Knock.test")
    assert rep_for_owner(workspace, None, "sam.seller@knock.TEST") == rep
    assert rep_for_owner(workspace, None, "nobody@knock.test") is None
    assert rep_for_owner(workspace, None, None) is None


def test_rep_for_owner_by_crm_user_id(workspace, make_rep):
    make_rep(crm_user_ids=["0055g00000AAAAA"])
    rep = make_rep(crm_user_ids=["0055g00000BBBBB", "41"])
    assert rep_for_owner(workspace, "0055g00000BBBBB", None) == rep
    assert rep_for_owner(workspace, "41", "unknown@x.test") == rep
    # a substring of an id is not a match
    assert rep_for_owner(workspace, "4", None) is None


def test_manual_override_wins(workspace, make_rep):
    by_email = make_rep(email="sam@knock.test")
    override = make_rep(email="olga@knock.test")
    CrmUserMapping.objects.create(workspace=workspace, crm_user_id="005X", rep=override)
    assert rep_for_owner(workspace, "005X", "sam@knock.test") == override
    # without the id, the email still maps normally
    assert rep_for_owner(workspace, None, "sam@knock.test") == by_email


def test_manual_override_by_email(workspace, make_rep):
    make_rep(email="sam@knock.test")
    override = make_rep(email="olga@knock.test")
    CrmUserMapping.objects.create(workspace=workspace, email="Sam@Knock.test", rep=override)
    assert rep_for_owner(workspace, None, "sam@knock.test") == override


def test_mapping_row_supplies_the_email_for_an_id(workspace, make_rep):
    rep = make_rep(email="sam@knock.test")
    remember_owner(workspace, "41", "Sam@knock.test")
    assert rep_for_owner(workspace, "41", None) == rep
    remember_owner(workspace, "41", "sam@knock.test")  # idempotent
    assert CrmUserMapping.objects.filter(workspace=workspace).count() == 1


def test_mapping_never_crosses_workspaces(workspace, make_rep):
    other, _ = actions.create_workspace("Globex")
    foreign = actions.create_rep(other, name="Spy", email="sam@knock.test", crm_user_ids=["41"])
    CrmUserMapping.objects.create(workspace=workspace, crm_user_id="77", rep=foreign)
    assert rep_for_owner(workspace, "41", "sam@knock.test") is None
    assert rep_for_owner(workspace, "77", None) is None


def test_rep_for_owner_query_count(workspace, make_rep, django_assert_max_num_queries):
    make_rep(crm_user_ids=["41"])
    with django_assert_max_num_queries(3):
        rep_for_owner(workspace, "41", "nobody@knock.test")
