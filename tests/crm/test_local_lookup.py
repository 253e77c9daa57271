"""LocalBackend.lookup: the whole CrmRecord for every case, and one query for each.

The cases: the contact is known (with its own account, with an account of another
domain, without an account: never the domain's then), only the domain's account is
known, nothing is known; emails and domains are stripped and lower-cased; the
opportunity flags and the lifecycle come from the account the record uses only.
"""

import pytest

from crm.backends import get_backend
from crm.backends.base import CrmRecord
from crm.models import LocalAccount, LocalContact, LocalOpportunity
from routing import actions


@pytest.fixture
def local(crm_settings):
    return get_backend("local", crm_settings("local"))


@pytest.fixture
def world(workspace):
    """Acme (acme.com, an open deal and a lost one), Globex (globex.com, won),
    Initech (initech.com, "Customer" lifecycle, no deals), an account without a
    domain; contacts at acme.com: Jane (Acme), Kim (Acme, every field blank),
    Max (Globex's), Solo (no account); and a contact whose email is blank."""
    acme = LocalAccount.objects.create(
        workspace=workspace,
        name="Acme",
        domain="acme.com",
        owner_email="olga@knock.test",
        lifecycle_stage="opportunity",
        status="active",
        custom_fields={"Industry": "Robotics", "Blank": ""},
    )
    globex = LocalAccount.objects.create(
        workspace=workspace, name="Globex", domain="globex.com", owner_email="gus@knock.test"
    )
    initech = LocalAccount.objects.create(
        workspace=workspace, name="Initech", domain="initech.com", lifecycle_stage="Customer"
    )
    nodomain = LocalAccount.objects.create(workspace=workspace, name="No domain Ltd")
    LocalOpportunity.objects.create(workspace=workspace, account=acme, name="Expansion")
    LocalOpportunity.objects.create(
        workspace=workspace, account=acme, name="Lost", is_closed=True, is_won=False
    )
    LocalOpportunity.objects.create(
        workspace=workspace, account=globex, name="First deal", is_closed=True, is_won=True
    )
    LocalOpportunity.objects.create(workspace=workspace, account=nodomain, name="Open, no domain")
    contacts = {
        "jane": LocalContact.objects.create(
            workspace=workspace,
            email="jane@acme.com",
            first_name="Jane",
            last_name="Doe",
            company="Acme Robotics",
            account=acme,
            owner_email="sam@knock.test",
            lifecycle_stage="salesqualifiedlead",
            status="working",
            custom_fields={"Tier": "Gold", "Note": None},
        ),
        "kim": LocalContact.objects.create(workspace=workspace, email="kim@acme.com", account=acme),
        "max": LocalContact.objects.create(
            workspace=workspace, email="max@acme.com", first_name="Max", account=globex
        ),
        "solo": LocalContact.objects.create(
            workspace=workspace, email="solo@acme.com", lifecycle_stage="lead"
        ),
        "blank": LocalContact.objects.create(workspace=workspace, email="", first_name="Nobody"),
    }
    # Another workspace knows the same people and domains, with other flags.
    other, _ = actions.create_workspace("Elsewhere")
    theirs = LocalAccount.objects.create(
        workspace=other, name="Their Acme", domain="acme.com", lifecycle_stage="customer"
    )
    LocalOpportunity.objects.create(
        workspace=other, account=theirs, name="Won", is_closed=True, is_won=True
    )
    LocalContact.objects.create(workspace=other, email="new@acme.com", account=theirs)
    LocalContact.objects.create(workspace=other, email="solo@acme.com", account=theirs)
    return {"acme": acme, "globex": globex, "initech": initech, **contacts}


ACME_FIELDS = {
    "Industry": "Robotics",
    "Blank": "",
    "name": "Acme",
    "domain": "acme.com",
    "owner_email": "olga@knock.test",
    "lifecycle_stage": "opportunity",
    "status": "active",
}
GLOBEX_FIELDS = {
    "name": "Globex",
    "domain": "globex.com",
    "owner_email": "gus@knock.test",
    "lifecycle_stage": "",
    "status": "",
}


def expected(name: str, w: dict) -> CrmRecord:
    acme, globex, initech = w["acme"], w["globex"], w["initech"]
    acme_account = {
        "account_id": str(acme.pk),
        "account_name": "Acme",
        "account_owner_email": "olga@knock.test",
    }
    records = {
        "jane": CrmRecord(
            exists=True,
            system="local",
            record_type="contact",
            record_id=str(w["jane"].pk),
            owner_email="sam@knock.test",
            lifecycle_stage="salesqualifiedlead",
            status="working",
            fields={
                "Tier": "Gold",
                "email": "jane@acme.com",
                "first_name": "Jane",
                "last_name": "Doe",
                "company": "Acme Robotics",
                "account": ACME_FIELDS,
            },
            has_open_opportunity=True,
            **acme_account,
        ),
        # Blank contact fields fall back to the account's.
        "kim": CrmRecord(
            exists=True,
            system="local",
            record_type="contact",
            record_id=str(w["kim"].pk),
            owner_email="olga@knock.test",
            lifecycle_stage="opportunity",
            status="active",
            fields={"email": "kim@acme.com", "company": "Acme", "account": ACME_FIELDS},
            has_open_opportunity=True,
            **acme_account,
        ),
        # Its own account (another domain, a won deal), not the domain's.
        "max": CrmRecord(
            exists=True,
            system="local",
            record_type="contact",
            record_id=str(w["max"].pk),
            owner_email="gus@knock.test",
            lifecycle_stage="customer",
            fields={
                "email": "max@acme.com",
                "first_name": "Max",
                "company": "Globex",
                "account": GLOBEX_FIELDS,
            },
            is_customer=True,
            account_id=str(globex.pk),
            account_name="Globex",
            account_owner_email="gus@knock.test",
        ),
        # No account: the domain's account is not used for it.
        "solo": CrmRecord(
            exists=True,
            system="local",
            record_type="contact",
            record_id=str(w["solo"].pk),
            lifecycle_stage="lead",
            fields={"email": "solo@acme.com"},
        ),
        "acme": CrmRecord(
            exists=True,
            system="local",
            record_type="account",
            record_id=str(acme.pk),
            owner_email="olga@knock.test",
            lifecycle_stage="opportunity",
            status="active",
            fields={k: v for k, v in ACME_FIELDS.items() if v},
            has_open_opportunity=True,
            **acme_account,
        ),
        "globex": CrmRecord(
            exists=True,
            system="local",
            record_type="account",
            record_id=str(globex.pk),
            owner_email="gus@knock.test",
            lifecycle_stage="customer",
            fields={"name": "Globex", "domain": "globex.com", "owner_email": "gus@knock.test"},
            is_customer=True,
            account_id=str(globex.pk),
            account_name="Globex",
            account_owner_email="gus@knock.test",
        ),
        # A "Customer" lifecycle makes a customer without a won deal.
        "initech": CrmRecord(
            exists=True,
            system="local",
            record_type="account",
            record_id=str(initech.pk),
            lifecycle_stage="customer",
            fields={"name": "Initech", "domain": "initech.com", "lifecycle_stage": "Customer"},
            is_customer=True,
            account_id=str(initech.pk),
            account_name="Initech",
        ),
        "not found": CrmRecord.not_found("local"),
    }
    return records[name]


CONTACT_KNOWN = [
    ("jane@acme.com", "acme.com", "jane"),
    ("  Jane@ACME.com ", " ACME.com ", "jane"),
    ("jane@acme.com", None, "jane"),
    ("jane@acme.com", "globex.com", "jane"),
    ("kim@acme.com", "acme.com", "kim"),
    ("max@acme.com", "acme.com", "max"),
    ("solo@acme.com", "acme.com", "solo"),
    ("SOLO@acme.com", "ACME.COM", "solo"),
]
ACCOUNT_ONLY = [
    ("new.person@acme.com", "acme.com", "acme"),
    (" New.Person@Acme.com", "  Acme.COM  ", "acme"),
    ("", "acme.com", "acme"),
    (None, "acme.com", "acme"),
    ("who@globex.com", "globex.com", "globex"),
    ("who@initech.com", "initech.com", "initech"),
]
NOTHING_KNOWN = [
    ("someone@umbrella.io", "umbrella.io", "not found"),
    ("new.person@acme.com", None, "not found"),
    ("new.person@acme.com", "", "not found"),
    ("new.person@acme.com", "   ", "not found"),  # not the account without a domain
]
NOTHING_TO_LOOK_UP = [("", None, "not found"), (None, "", "not found"), ("  ", " ", "not found")]


@pytest.mark.parametrize(
    ("email", "domain", "case"), CONTACT_KNOWN + ACCOUNT_ONLY + NOTHING_KNOWN + NOTHING_TO_LOOK_UP
)
def test_the_record(local, world, email, domain, case):
    assert local.lookup(email, domain) == expected(case, world)


@pytest.mark.parametrize(
    ("email", "domain", "case"),
    [CONTACT_KNOWN[1], CONTACT_KNOWN[5], CONTACT_KNOWN[6], ACCOUNT_ONLY[1], NOTHING_KNOWN[0]],
)
def test_one_query_in_every_case(local, world, django_assert_num_queries, email, domain, case):
    with django_assert_num_queries(1):
        record = local.lookup(email, domain)
    assert record == expected(case, world)


def test_no_query_when_there_is_nothing_to_look_up(local, world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert local.lookup(" ", None) == CrmRecord.not_found("local")


def test_an_empty_local_crm(local, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert local.lookup("jane@acme.com", "acme.com") == CrmRecord.not_found("local")
