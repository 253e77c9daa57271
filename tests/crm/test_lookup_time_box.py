"""The time box: a CRM that hangs never holds a routing longer than the box."""

import threading
import time

import pytest

from crm.backends import get_backend
from crm.backends.base import CrmBackend, CrmError, CrmRecord
from crm.facts import facts_from
from crm.lookup import lookup_for_workspace, lookup_with_timeout
from crm.models import LocalContact
from routing.context import funnel_stage


class SleepyCrm(CrmBackend):
    name = "sleepy"

    def __init__(self, sleep: float):
        super().__init__(None)
        self.sleep = sleep
        self.finished = threading.Event()

    def lookup(self, email, domain=None):
        time.sleep(self.sleep)
        self.finished.set()
        return CrmRecord(exists=True, system=self.name, owner_email="late@knock.test")


class BrokenCrm(CrmBackend):
    name = "broken"

    def lookup(self, email, domain=None):
        raise KeyError("records")


class RefusingCrm(CrmBackend):
    name = "refusing"

    def lookup(self, email, domain=None):
        raise CrmError("HubSpot 401 INVALID_AUTHENTICATION: bad token", permanent=True)


def test_a_crm_that_sleeps_past_the_box_times_out_in_time():
    crm = SleepyCrm(sleep=3.0)
    started = time.monotonic()
    with pytest.raises(CrmError) as info:
        lookup_with_timeout(crm, "jane@acme.com", "acme.com", timeout=0.3)
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 1.0
    assert str(info.value) == "timeout after 0.3 s"
    assert info.value.permanent is False and info.value.code == "timeout"
    assert not crm.finished.is_set()  # the lookup was abandoned, not awaited


def test_the_default_box_is_the_backends_lookup_timeout():
    crm = SleepyCrm(sleep=3.0)
    crm.lookup_timeout = 0.2
    with pytest.raises(CrmError, match=r"^timeout after 0.2 s$"):
        lookup_with_timeout(crm, "jane@acme.com")


def test_default_message_names_one_and_a_half_seconds():
    assert SleepyCrm(0).lookup_timeout == 1.5


def test_a_fast_crm_answers_through_the_box():
    record = lookup_with_timeout(SleepyCrm(sleep=0.01), "jane@acme.com", timeout=2)
    assert record.exists and record.owner_email == "late@knock.test"


def test_hanging_lookups_do_not_starve_later_ones():
    """Timed-out lookups keep a worker until they end; new ones still get answers."""
    for _ in range(3):
        with pytest.raises(CrmError):
            lookup_with_timeout(SleepyCrm(sleep=1.0), "x@acme.com", timeout=0.05)
    record = lookup_with_timeout(SleepyCrm(sleep=0.01), "y@acme.com", timeout=2)
    assert record.exists


def test_unexpected_exceptions_become_transient_crm_errors():
    with pytest.raises(CrmError) as info:
        lookup_with_timeout(BrokenCrm(None), "jane@acme.com", timeout=1)
    assert not info.value.permanent and info.value.code == "unexpected"
    assert "KeyError" in str(info.value)


def test_backend_errors_pass_through_unchanged():
    with pytest.raises(CrmError) as info:
        lookup_with_timeout(RefusingCrm(None), "jane@acme.com", timeout=1)
    assert info.value.permanent and "INVALID_AUTHENTICATION" in str(info.value)


def test_the_local_crm_runs_inline_and_sees_the_callers_transaction(crm_settings, workspace):
    # Inside the test's transaction: a worker thread's connection could not see this row.
    LocalContact.objects.create(workspace=workspace, email="jane@acme.com", owner_email="s@k.test")
    backend = get_backend("local", crm_settings("local", lookup_timeout=0.5))
    assert backend.needs_time_box is False
    record = lookup_with_timeout(backend, "jane@acme.com")
    assert record.owner_email == "s@k.test"
    assert lookup_for_workspace(workspace, "jane@acme.com").exists


def test_a_hanging_http_crm_is_boxed(crm_settings, rsps, monkeypatch):
    """The real Salesforce backend, with the network stuck: the box still holds."""
    from crm.clients import salesforce as sf_client

    release = threading.Event()

    def stuck_login(**kwargs):
        release.wait(5)
        raise AssertionError("never reached in time")

    monkeypatch.setattr(sf_client, "SalesforceLogin", stuck_login)
    settings = crm_settings(
        "salesforce",
        credentials={"username": "u", "password": "p", "security_token": "t"},
        lookup_timeout=0.25,
    )
    backend = get_backend("salesforce", settings)
    started = time.monotonic()
    with pytest.raises(CrmError, match="timeout after 0.25 s"):
        lookup_with_timeout(backend, "jane@acme.com", "acme.com")
    assert time.monotonic() - started < 1.0
    release.set()


# ----------------------------------------------------------------- signals (SPEC 6)


@pytest.mark.parametrize(
    ("record", "seen_before", "stage"),
    [
        (
            CrmRecord(exists=True, system="x", is_customer=True, has_open_opportunity=True),
            False,
            "customer",
        ),
        (CrmRecord(exists=True, system="x", has_open_opportunity=True), False, "opportunity"),
        (CrmRecord(exists=True, system="x"), False, "existing"),
        (CrmRecord.not_found("x"), True, "existing"),
        (CrmRecord.not_found("x"), False, "first_seen"),
        (None, True, "existing"),  # CRM unavailable
        (None, False, "first_seen"),
    ],
)
def test_funnel_stage(record, seen_before, stage):
    facts = facts_from(record) if record is not None else None
    assert funnel_stage(facts, seen_before=seen_before) == stage


def test_crm_status():
    assert CrmRecord(exists=True, system="x").crm_status == "exists"
    assert CrmRecord.not_found("x").crm_status == "not_found"
