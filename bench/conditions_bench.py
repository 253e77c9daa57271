"""Item 1: the condition engine against hand-written Python and two peers.

One rule of 50 segments (``bench/rule50.json``, via ``bench/rule50.py``) over
10,000 generated contexts, first match wins, evaluated by:

* ``routing.conditions.compile``, one predicate per segment (what the engine runs);
* hand-written Python, one function per segment (the limit);
* ``rule-engine``: one ``Rule`` per segment, the same rule in its language;
* JsonLogic (``panzi-json-logic``): one expression per segment.

Hand-written twins exist for a representative ten segments plus the fallback
(``rule50.TWIN_SEGMENTS``: every operator, ``any``/``not`` groups, one to five
leaves; ``bench/rule50_twins.py``), so the four-way comparison runs on that
eleven-segment rule: the top-level figures (``segments``, ``us_per_context``,
``knock_vs_hand_written``, ``speedup_vs_*``...) are all measured on it, the same
work for every evaluator. ``full_rule`` holds the same comparison on all 50
segments for the three evaluators that need no hand-writing (Knock and the two
peers, whose translations ``bench/peers.py`` generates from the trees), so the
speed-ups can be read on the whole rule too; ``compile_ms`` is compiling all 50.

Before anything is timed, the evaluators must pick the same winning segment
for every context (on each rule). Each evaluator then runs the whole set of
contexts in rounds, interleaved so that machine noise hits them alike, with the
garbage collector off during a round; the figure is each one's fastest round.

    .venv/bin/python bench/conditions_bench.py [--contexts N] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import peers, rule50
from routing import conditions

CONTEXTS = 10_000


def winner(predicates, ctx) -> int:
    for i, p in enumerate(predicates):
        if p(ctx):
            return i
    return len(predicates)  # never: the fallback always matches


def run_all(predicates, contexts) -> None:
    for ctx in contexts:
        for p in predicates:
            if p(ctx):
                break


def timed(predicates, contexts) -> float:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        run_all(predicates, contexts)
        return time.perf_counter() - started
    finally:
        gc.enable()


PEERS = ("rule_engine", "json_logic")


def compare(engines: dict, contexts: list, fast_rounds: int, peer_rounds: int) -> dict:
    """Check that ``engines`` (name -> predicates, the first is the reference) agree on
    every context's winner, then time them; the figures of one rule."""
    winners = {name: [winner(ps, c) for c in contexts] for name, ps in engines.items()}
    reference = next(iter(winners.values()))
    disagreements = {
        name: sum(1 for a, b in zip(w, reference, strict=True) if a != b)
        for name, w in winners.items()
    }
    if any(disagreements.values()):
        raise SystemExit(f"engines disagree on the winning segment: {disagreements}")
    segments = len(next(iter(engines.values())))
    counts = Counter(reference)
    # Segments evaluated per context: the winner's position + 1.
    evaluated = sum(i + 1 for i in reference) / len(contexts)

    # Timing: interleaved rounds, best round per engine.
    best = {name: float("inf") for name in engines}
    for r in range(max(fast_rounds, peer_rounds)):
        for name, predicates in engines.items():
            if r < (peer_rounds if name in PEERS else fast_rounds):
                best[name] = min(best[name], timed(predicates, contexts))
    fastest_peer = min(PEERS, key=lambda n: best[n])
    return {
        "segments": segments,
        "fallback_share": counts[segments - 1] / len(contexts),
        "segments_evaluated_per_context": round(evaluated, 1),
        "agreement": f"all {len(engines)} evaluators picked the same segment for every context",
        "seconds": {name: round(t, 4) for name, t in best.items()},
        "us_per_context": {name: round(t / len(contexts) * 1e6, 2) for name, t in best.items()},
        "fastest_peer": fastest_peer,
        "speedup_vs_fastest_peer": best[fastest_peer] / best["knock"],
        "speedup_vs_rule_engine": best["rule_engine"] / best["knock"],
        "speedup_vs_json_logic": best["json_logic"] / best["knock"],
    }, best


def run(fast_rounds: int = 15, peer_rounds: int = 3, n_contexts: int = CONTEXTS) -> dict:
    contexts = rule50.contexts(n_contexts)
    trees = [tree for _, tree in rule50.SEGMENTS]
    twin_trees = [tree for _, tree in rule50.TWIN_SEGMENTS]
    started = time.perf_counter()
    knock = [conditions.compile(t) for t in trees]
    compile_ms = (time.perf_counter() - started) * 1000

    # 1. The four-way comparison, on the segments that have a hand-written twin.
    twins, best = compare(
        {
            "hand_written": rule50.HAND_WRITTEN,
            "knock": [conditions.compile(t) for t in twin_trees],
            "rule_engine": peers.rule_engine_predicates(twin_trees),
            "json_logic": peers.json_logic_predicates(twin_trees),
        },
        contexts,
        fast_rounds,
        peer_rounds,
    )
    # 2. Knock and the peers on the whole rule (Knock is the reference there).
    full, _ = compare(
        {
            "knock": knock,
            "rule_engine": peers.rule_engine_predicates(trees),
            "json_logic": peers.json_logic_predicates(trees),
        },
        contexts,
        fast_rounds,
        peer_rounds,
    )
    full["leaves"] = sum(conditions.leaves(t) for t in trees)
    return {
        "contexts": len(contexts),
        **twins,
        "segment_names": [name for name, _ in rule50.TWIN_SEGMENTS],
        "leaves": sum(conditions.leaves(t) for t in twin_trees),
        "compile_ms": round(compile_ms, 1),
        "rounds": {"knock_and_hand_written": fast_rounds, "peers": peer_rounds},
        "knock_vs_hand_written": best["knock"] / best["hand_written"],
        "full_rule": full,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contexts", type=int, default=CONTEXTS, help="contexts generated")
    parser.add_argument("--quick", action="store_true", help="2 rounds, 1 for the peers")
    args = parser.parse_args()
    rounds = {"fast_rounds": 2, "peer_rounds": 1} if args.quick else {}
    print(json.dumps(run(n_contexts=args.contexts, **rounds), indent=2))


if __name__ == "__main__":
    main()
