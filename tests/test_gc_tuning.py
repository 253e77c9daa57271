"""knock/gc_tuning.py: the collector's thresholds a server process runs with."""

import gc

import pytest

from knock import gc_tuning


@pytest.fixture
def saved_thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_unset_means_the_tuned_default():
    assert gc_tuning.thresholds(None) == gc_tuning.DEFAULT
    assert gc_tuning.thresholds("  ") == gc_tuning.DEFAULT


def test_explicit_values_and_off():
    assert gc_tuning.thresholds("700,10,10") == (700, 10, 10)
    assert gc_tuning.thresholds("20000") == (20000,)
    assert gc_tuning.thresholds("OFF") is None


@pytest.mark.parametrize("bad", ["abc", "1,2,3,4", "-1", "700,,10", ","])
def test_bad_values_say_what_is_wanted(bad):
    with pytest.raises(ValueError, match="KNOCK_GC_THRESHOLDS"):
        gc_tuning.thresholds(bad)


def test_tune_sets_the_thresholds(saved_thresholds):
    assert gc_tuning.tune({}) == gc_tuning.DEFAULT
    assert gc.get_threshold() == gc_tuning.DEFAULT
    assert gc_tuning.tune({"KNOCK_GC_THRESHOLDS": "700,10,10"}) == (700, 10, 10)


def test_off_leaves_the_interpreter_alone(saved_thresholds):
    gc.set_threshold(1234, 5, 6)
    assert gc_tuning.tune({"KNOCK_GC_THRESHOLDS": "off"}) == (1234, 5, 6)


def test_the_asgi_entry_point_tunes_the_server_process():
    import os
    import subprocess
    import sys

    code = "import gc, knock.asgi; print(gc.get_threshold())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "knock.test_settings"}
    env.pop("KNOCK_GC_THRESHOLDS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == str(gc_tuning.DEFAULT)
