"""Pure tests of pool picks (SPEC 5): smooth weighted round robin and least loaded.

Only the pure functions on `Candidate` objects: no database is touched.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.pools import Candidate, least_loaded_pick, smooth_weighted_pick


def cand(name, weight=1, *, member_id=None, current=0, last=None, open_chats=0):
    return Candidate(
        member_id=member_id if member_id is not None else ord(name[0]),
        rep_id=ord(name[0]) + 1000,
        name=name,
        weight=weight,
        current_weight=current,
        last_assigned_at=last,
        open_chats=open_chats,
        skip=None,
    )


def run(candidates, picks):
    return [smooth_weighted_pick(candidates)[0].name for _ in range(picks)]


# ------------------------------------------------------------- smooth weighted


def test_equal_weights_rotate_strictly():
    members = [cand("a"), cand("b"), cand("c")]
    assert run(members, 9) == ["a", "b", "c"] * 3


def test_a_single_member_always_wins():
    members = [cand("a", 3)]
    assert run(members, 4) == ["a"] * 4
    assert members[0].current_weight == 0


def test_pick_returns_the_total_weight():
    winner, total = smooth_weighted_pick([cand("a", 5), cand("b", 1), cand("c", 1)])
    assert (winner.name, total) == ("a", 7)


def test_weights_5_1_1_give_the_nginx_sequence():
    members = [cand("a", 5), cand("b", 1), cand("c", 1)]
    assert "".join(run(members, 7)) == "aabacaa"
    # Back to the starting state: the cycle repeats exactly.
    assert [m.current_weight for m in members] == [0, 0, 0]
    assert "".join(run(members, 7)) == "aabacaa"


def test_weights_3_1_interleave():
    assert "".join(run([cand("a", 3), cand("b", 1)], 8)) == "aabaaaba"


def test_the_state_survives_a_round_trip_through_storage():
    """PoolPicker rebuilds Candidates from the stored current_weight on every lead."""
    stored = {"a": 0, "b": 0, "c": 0}
    weights = {"a": 2, "b": 1, "c": 1}
    seen = []
    for _ in range(8):
        members = [cand(n, weights[n], current=stored[n]) for n in ("a", "b", "c")]
        winner, _ = smooth_weighted_pick(members)
        stored = {m.name: m.current_weight for m in members}
        seen.append(winner.name)
    assert seen == run([cand("a", 2), cand("b", 1), cand("c", 1)], 8)
    assert Counter(seen) == {"a": 4, "b": 2, "c": 2}


def test_an_unavailable_member_is_not_doubled_when_it_returns():
    """A member left out of one pick (out of office) does not get a burst on return."""
    a, b, c = cand("a"), cand("b"), cand("c")
    seen = [smooth_weighted_pick([a, b, c])[0].name]  # a
    seen.append(smooth_weighted_pick([a, c])[0].name)  # b is away
    seen += [smooth_weighted_pick([a, b, c])[0].name for _ in range(6)]
    # b is never picked twice in a row.
    assert all(not (x == y == "b") for x, y in zip(seen, seen[1:], strict=False)), seen


@settings(max_examples=200, deadline=None)
@given(weights=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=6))
def test_property_counts_are_exact_over_each_cycle(weights):
    members = [cand(chr(ord("a") + i), w, member_id=i) for i, w in enumerate(weights)]
    cycle = sum(weights)
    for _ in range(2):
        picks = Counter(run(members, cycle))
        assert [picks[m.name] for m in members] == weights
        assert all(m.current_weight == 0 for m in members)


@settings(max_examples=200, deadline=None)
@given(weights=st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=8))
def test_property_no_member_ever_runs_a_full_lead_ahead_of_its_share(weights):
    """nginx's invariant: current_weight > -total, i.e. picks - n * w / total < 1.

    (Being *behind* by more than one pick is possible with many unequal members;
    SWRR only promises that nobody gets ahead, and exact counts per cycle.)
    """
    members = [cand(chr(ord("a") + i), w, member_id=i) for i, w in enumerate(weights)]
    total = sum(weights)
    counts = Counter()
    for n in range(1, 2 * total + 1):
        counts[smooth_weighted_pick(members)[0].name] += 1
        for m in members:
            assert counts[m.name] - n * m.weight / total < 1, (weights, n, dict(counts))
            assert -total < m.current_weight, (weights, n, m)


@settings(max_examples=100, deadline=None)
@given(k=st.integers(min_value=1, max_value=7), n=st.integers(min_value=0, max_value=60))
def test_property_equal_weights_give_floor_or_ceil(k, n):
    members = [cand(chr(ord("a") + i), 1, member_id=i) for i in range(k)]
    counts = Counter(run(members, n))
    assert all(counts[m.name] in (n // k, -(-n // k)) for m in members), dict(counts)


# ----------------------------------------------------------------- least loaded

T0 = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def test_least_loaded_takes_the_fewest_open_chats():
    members = [cand("a", open_chats=3), cand("b", open_chats=1), cand("c", open_chats=2)]
    assert least_loaded_pick(members).name == "b"


def test_least_loaded_ties_go_to_the_least_recently_assigned():
    members = [
        cand("a", open_chats=1, last=T0),
        cand("b", open_chats=1, last=T0 - timedelta(hours=2)),
        cand("c", open_chats=1, last=T0 - timedelta(hours=1)),
        cand("d", open_chats=5, last=None),
    ]
    assert least_loaded_pick(members).name == "b"


def test_least_loaded_never_assigned_comes_first_in_a_tie():
    members = [
        cand("a", open_chats=0, last=T0 - timedelta(days=30)),
        cand("b", open_chats=0, last=None),
        cand("c", open_chats=0, last=T0),
    ]
    assert least_loaded_pick(members).name == "b"


def test_least_loaded_full_tie_is_stable_by_member_id():
    members = [cand("x", member_id=9), cand("y", member_id=2), cand("z", member_id=5)]
    assert least_loaded_pick(members).name == "y"


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
def test_least_loaded_does_not_depend_on_input_order(order):
    base = [
        cand("a", open_chats=2, last=None),
        cand("b", open_chats=2, last=T0 - timedelta(minutes=5)),
        cand("c", open_chats=2, last=T0),
    ]
    assert least_loaded_pick([base[i] for i in order]).name == "a"


def test_least_loaded_does_not_change_the_candidates():
    members = [cand("a", open_chats=1), cand("b", open_chats=0)]
    before = [(m.open_chats, m.last_assigned_at, m.current_weight) for m in members]
    least_loaded_pick(members)
    assert [(m.open_chats, m.last_assigned_at, m.current_weight) for m in members] == before
