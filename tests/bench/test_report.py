"""The `make bench` report renders a run, and explains every missed target (issue 16 item 8).

The run is a real `bench/run.py --quick` result (tests/bench/quick-run.json), made to miss
every target so that each "what bounds it" explanation is rendered from its figures.
"""

import copy
import json
from pathlib import Path

from bench import report

RUN = json.loads((Path(__file__).with_name("quick-run.json")).read_text())


def missed_everything(run: dict) -> dict:
    r = copy.deepcopy(run)
    r["http"]["ratio"] = 0.2
    r["http"]["workers_ratio"] = 1.1
    r["pool"]["throughput_ratio"] = 1.1
    r["meetings"]["http"]["product"]["p50_ms"] = 400.0
    return r


def test_a_run_renders_with_every_issue_16_figure():
    text = report.render(RUN)
    assert "2 server processes ÷ 1" in text
    assert "Pool rotation: throughput with 16 clients ÷ with 1" in text
    assert "## 2b. Database connections under the ASGI server" in text
    assert "uvicorn with 2 worker processes" in text


def test_every_missed_target_is_explained():
    text = report.render(missed_everything(RUN))
    bounds = text.split("## Missed targets: what bounds them", 1)[1]
    assert "**Route a chat over HTTP.**" in bounds
    assert "**2 server processes.**" in bounds
    assert "**Pool rotation.**" in bounds
    assert "**Meeting availability.**" in bounds


def test_the_targets_are_the_issue_16_ones():
    assert report.TARGETS["workers_ratio"] == 1.6
    assert report.TARGETS["pool_ratio"] == 1.5
    assert report.TARGETS["floor_ratio"] == 0.5
    assert report.TARGETS["meetings_p50_ms"] == 150.0


def test_the_summary_shows_how_far_each_round_ratio_moved():
    r = copy.deepcopy(RUN)
    r["http"]["ratio_rounds"] = [0.251, 0.289]
    r["http"]["workers_ratio_rounds"] = [1.41, 1.63]
    text = report.render(r)
    assert "per round 0.25–0.29×" in text
    assert "per round 1.41–1.63×" in text
    # A run without them (an older last-run.json) renders as before.
    assert "; per round" not in report.render(RUN)


def test_round_ratios_pair_each_round_of_two_endpoints():
    from bench.http_bench import round_ratios
    from bench.loadgen import Result

    def result(requests: int, seconds: float) -> tuple[Result, dict]:
        return Result(0.0, seconds, [(0.0, 0.001, 201)] * requests), {}

    results = {"product": [result(100, 1.0), result(300, 2.0)],
               "floor": [result(400, 1.0), result(500, 2.0)]}  # fmt: skip
    assert round_ratios(results, "product", "floor") == [0.25, 0.6]
