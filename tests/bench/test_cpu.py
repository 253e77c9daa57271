"""bench/cpu.py counts a server's worker processes (uvicorn --workers are its children)."""

import os
import signal
import subprocess
import sys

from bench import cpu

CHILD = "import time; sum(range(3 * 10**7)); print('burnt', flush=True); time.sleep(60)"
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}])"


def test_the_tree_counts_the_childrens_cpu():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    children = []
    try:
        assert parent.stdout.readline().strip() == "burnt"
        children = cpu.descendants(parent.pid)
        assert len(children) == 1
        # The parent only waits; its child burnt CPU: the tree counts it, the process not.
        assert cpu.tree_ticks(parent.pid) > cpu.process_ticks(parent.pid)
        assert cpu.tree_ticks(parent.pid) >= cpu.process_ticks(children[0])
    finally:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        parent.kill()
        parent.wait()
