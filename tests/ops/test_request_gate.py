"""The gate on the requests one server process runs at once (knock/request_gate.py)."""

import threading
import time

import pytest

from crm.backends.base import CrmBackend, CrmRecord
from crm.lookup import lookup_with_timeout
from knock import request_gate
from knock.request_gate import Gate, request_concurrency


def test_the_places_come_from_knock_request_concurrency():
    assert request_concurrency(None) == request_concurrency(" ") == 3
    assert request_concurrency("2") == 2
    for bad in ("0", "-1", "lots"):
        with pytest.raises(ValueError, match="KNOCK_REQUEST_CONCURRENCY"):
            request_concurrency(bad)


def test_outside_a_gate_is_a_no_op():
    assert request_gate.holding() is None
    with request_gate.outside():
        assert request_gate.holding() is None


def test_a_holder_waiting_outside_lends_its_place_and_takes_it_back():
    gate = Gate(1)
    lent = threading.Event()
    other_in = threading.Event()

    def other():
        lent.wait(5)
        with gate.admitted():
            other_in.set()

    thread = threading.Thread(target=other)
    thread.start()
    with gate.admitted():
        assert request_gate.holding() is gate
        with request_gate.outside():
            assert request_gate.holding() is None
            lent.set()
            assert other_in.wait(5)  # the one place was free while this thread waited
        assert request_gate.holding() is gate
    thread.join(5)
    assert request_gate.holding() is None


class SlowCrm(CrmBackend):
    """A remote CRM (time-boxed in the lookup pool) that answers after `sleep` seconds."""

    name = "slow"

    def __init__(self, sleep):
        super().__init__(None)
        self.sleep = sleep

    def lookup(self, email, domain=None):
        time.sleep(self.sleep)
        return CrmRecord(exists=True, system=self.name, owner_email="owner@knock.test")


def test_a_remote_crm_lookup_holds_no_place_while_it_waits():
    gate = Gate(1)
    admitted_meanwhile = threading.Event()
    looking = threading.Event()

    def request_looking_up():
        with gate.admitted():
            looking.set()
            record = lookup_with_timeout(SlowCrm(1.5), "jane@acme.com", timeout=3)
            assert record.owner_email == "owner@knock.test"

    thread = threading.Thread(target=request_looking_up)
    thread.start()
    assert looking.wait(5)
    with gate.admitted():
        assert thread.is_alive()  # admitted while the lookup still waits, not after it
        admitted_meanwhile.set()
    thread.join(5)
    assert admitted_meanwhile.is_set() and not thread.is_alive()


def test_after_a_wait_outside_a_request_never_waits_for_a_place():
    """Back from its wait with every place taken, the request goes on without one
    (it may hold a database connection a holder waits for) and, at its end, gives
    back nothing it does not hold: the gate still has exactly its places."""
    gate = Gate(1)
    other_in, other_may_leave = threading.Event(), threading.Event()

    def other():
        with gate.admitted():
            other_in.set()
            other_may_leave.wait(5)

    thread = threading.Thread(target=other)
    with gate.admitted():
        with request_gate.outside():
            thread.start()
            assert other_in.wait(5)  # the place went to the other request
        assert request_gate.holding() is None  # none free: on without one, not blocked
    other_may_leave.set()
    thread.join(5)
    assert gate._semaphore.acquire(blocking=False)  # the one place is back...
    assert not gate._semaphore.acquire(blocking=False)  # ...and only one
