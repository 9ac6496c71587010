"""What else is using the CPU: the benchmark shares the machine, and says so."""

import os
import time
from pathlib import Path


def _cpu_ticks() -> dict[int, tuple[str, int]]:
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (name, int(fields[11]) + int(fields[12]))  # utime + stime
    return found


def busy_processes(seconds: float = 3.0, exclude: set[int] | None = None) -> list[str]:
    """Processes that used more than 10% of a core over `seconds` (not ours), busiest first."""
    if not Path("/proc/self/stat").exists():
        return []
    ours = {os.getpid(), *(exclude or set())}
    before = _cpu_ticks()
    time.sleep(seconds)
    after = _cpu_ticks()
    hz = os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (name, ticks) in after.items():
        if pid in ours or pid not in before:
            continue
        share = (ticks - before[pid][1]) / hz / seconds
        if share > 0.10:
            busy.append((share, f"{name} (pid {pid}) {share * 100:.0f}%"))
    return [label for _, label in sorted(busy, reverse=True)]
