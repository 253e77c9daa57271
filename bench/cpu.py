"""CPU time of the processes a benchmark involves, from /proc (Linux).

``Meter(server_pid)`` snapshots, and ``meter.delta()`` returns the CPU seconds
used since by the server (the process and its live descendants: uvicorn's
``--workers`` are children of the process started), by PostgreSQL (the postmaster, the backends
it has reaped - one per connection - and the live ones; every database on the
machine counts), by this process (the load generator), and by the whole
machine (busy time over all cores), with the wall time in between.
"""

from __future__ import annotations

import os
import time

_HZ = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, list[int]]:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), [int(x) for x in fields[11:15]]  # ppid; utime stime cutime cstime


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def postgres_ticks() -> int:
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and _comm(int(p)) == "postgres"]
    total = 0
    for pid in pids:
        try:
            ppid, (utime, stime, cutime, cstime) = _stat(pid)
        except OSError:
            continue  # gone between listdir and open
        total += utime + stime
        if _comm(ppid) != "postgres":  # the postmaster: add its reaped children
            total += cutime + cstime
    return total


def process_ticks(pid: int) -> int:
    _, (utime, stime, _, _) = _stat(pid)
    return utime + stime


def descendants(pid: int) -> list[int]:
    """The live processes under ``pid`` (children, their children...)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid, _ = _stat(int(entry))
            except (OSError, IndexError, ValueError):
                continue  # gone between listdir and open
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_ticks(pid: int) -> int:
    """CPU ticks of ``pid`` and its live descendants (workers live as long as the server)."""
    total = process_ticks(pid)
    for child in descendants(pid):
        try:
            total += process_ticks(child)
        except OSError:
            continue
    return total


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far, from /proc/stat's `cpu` line: user, nice, system,
    idle, iowait, irq, softirq, steal, ... (clock ticks)."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def machine_busy_ticks() -> tuple[int, int]:
    values = cpu_ticks()
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class Meter:
    def __init__(self, server_pid: int | None = None):
        self.server_pid = server_pid
        self._start = self._snapshot()

    def _snapshot(self) -> dict:
        busy, total = machine_busy_ticks()
        times = os.times()
        return {
            "wall": time.perf_counter(),
            "server": tree_ticks(self.server_pid) if self.server_pid else 0,
            "workers": self._workers(),
            "postgres": postgres_ticks(),
            "client": times.user + times.system,
            "busy": busy,
            "total": total,
        }

    def _workers(self) -> dict[int, int]:
        """CPU ticks of each process under the server (uvicorn's workers)."""
        if not self.server_pid:
            return {}
        out = {}
        for pid in descendants(self.server_pid):
            try:
                out[pid] = process_ticks(pid)
            except OSError:
                continue
        return out

    def delta(self) -> dict:
        end = self._snapshot()
        s = self._start
        total = (end["total"] - s["total"]) or 1
        return {
            "wall_s": end["wall"] - s["wall"],
            "server_cpu_s": (end["server"] - s["server"]) / _HZ,
            "postgres_cpu_s": (end["postgres"] - s["postgres"]) / _HZ,
            "client_cpu_s": end["client"] - s["client"],
            "machine_busy": (end["busy"] - s["busy"]) / total,  # 0..1 of all cores
            # Per server child (the workers; a helper such as multiprocessing's resource
            # tracker shows as ~0), most used first: how evenly the load was spread.
            "workers_cpu_s": sorted(
                ((end["workers"].get(pid, t) - t) / _HZ for pid, t in s["workers"].items()),
                reverse=True,
            ),
        }
