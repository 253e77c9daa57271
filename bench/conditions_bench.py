"""Item 1: the condition engine against hand-written Python and two peers.

One 50-segment rule (``bench/rule50.py``) over 10,000 generated contexts,
first match wins, evaluated four ways:

* ``routing.conditions.compile``, one predicate per segment (what the engine runs);
* hand-written Python for the same rule, one function per segment (the limit);
* ``rule-engine``: one ``Rule`` per segment, the same rule in its language;
* JsonLogic (``panzi-json-logic``): one expression per segment.

Before anything is timed, all four must pick the same winning segment for
every context. Each engine then runs the whole set of contexts in rounds,
interleaved so that machine noise hits them alike, with the garbage collector
off during a round; the figure is each engine's fastest round.

    .venv/bin/python bench/conditions_bench.py
"""

from __future__ import annotations

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


def run(fast_rounds: int = 15, peer_rounds: int = 3) -> dict:
    contexts = rule50.contexts(CONTEXTS)
    trees = [tree for _, tree in rule50.SEGMENTS]
    started = time.perf_counter()
    knock = [conditions.compile(t) for t in trees]
    compile_ms = (time.perf_counter() - started) * 1000
    engines = {
        "knock": knock,
        "hand_written": rule50.HAND_WRITTEN,
        "rule_engine": peers.rule_engine_predicates(trees),
        "json_logic": peers.json_logic_predicates(trees),
    }

    # 1. Every engine picks the same segment for every context.
    winners = {name: [winner(ps, c) for c in contexts] for name, ps in engines.items()}
    reference = winners["hand_written"]
    disagreements = {
        name: sum(1 for a, b in zip(w, reference, strict=True) if a != b)
        for name, w in winners.items()
    }
    if any(disagreements.values()):
        raise SystemExit(f"engines disagree on the winning segment: {disagreements}")
    counts = Counter(reference)
    fallback = len(trees) - 1
    # Segments evaluated per context: the winner's position + 1.
    evaluated = sum(i + 1 for i in reference) / len(contexts)

    # 2. Timing: interleaved rounds, best round per engine.
    best = {name: float("inf") for name in engines}
    for r in range(max(fast_rounds, peer_rounds)):
        for name, predicates in engines.items():
            if name in ("rule_engine", "json_logic") and r >= peer_rounds:
                continue
            if name in ("knock", "hand_written") and r >= fast_rounds:
                continue
            best[name] = min(best[name], timed(predicates, contexts))

    per_context_us = {name: t / len(contexts) * 1e6 for name, t in best.items()}
    fastest_peer = min(("rule_engine", "json_logic"), key=lambda n: best[n])
    return {
        "contexts": len(contexts),
        "segments": len(trees),
        "leaves": sum(conditions.leaves(t) for t in trees),
        "fallback_share": counts[fallback] / len(contexts),
        "segments_evaluated_per_context": round(evaluated, 1),
        "agreement": "all four engines picked the same segment for every context",
        "compile_ms": round(compile_ms, 1),
        "rounds": {"knock_and_hand_written": fast_rounds, "peers": peer_rounds},
        "seconds": {name: round(t, 4) for name, t in best.items()},
        "us_per_context": {name: round(t, 2) for name, t in per_context_us.items()},
        "fastest_peer": fastest_peer,
        "speedup_vs_fastest_peer": best[fastest_peer] / best["knock"],
        "speedup_vs_rule_engine": best["rule_engine"] / best["knock"],
        "speedup_vs_json_logic": best["json_logic"] / best["knock"],
        "knock_vs_hand_written": best["knock"] / best["hand_written"],
    }


def main() -> None:
    print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
