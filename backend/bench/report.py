"""docs/benchmarks.md, written at the end of every run."""

import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.floor import Layer, Statement
from bench.load import Series
from bench.seed import CALLERS, Seeded

REPO = Path(__file__).resolve().parents[2]
TARGET_RATIO = 2.0
TARGET_GROWTH = 1.2
TARGET_SUMMARY_MS = 10.0


@dataclass
class Phase:
    rows: int
    visible: dict[str, tuple[int, int]]
    endpoint: dict[tuple[str, int], Series] = field(default_factory=dict)
    floor: dict[tuple[str, int], Series] = field(default_factory=dict)
    summary: dict[str, Series] = field(default_factory=dict)
    statements: dict[str, list[Statement]] = field(default_factory=dict)
    breakdown: dict[str, list[Layer]] = field(default_factory=dict)
    profile: str = ""
    profiled: str = ""
    load: list[tuple[float, float, float]] = field(default_factory=list)  # start, end
    busy: list[str] = field(default_factory=list)  # other processes using CPU at the start


@dataclass
class Machine:
    cpus: int
    cpu_model: str
    memory_gib: float
    postgres: str
    settings: dict[str, str]
    where: str


@dataclass
class Run:
    command: str
    started: datetime
    finished: datetime
    machine: Machine
    seeded: Seeded
    units_by_kind: dict[str, int]
    users: int
    grants: int
    phases: list[Phase]
    concurrency: tuple[int, ...]
    requests: int
    notes: list[str] = field(default_factory=list)


def machine_facts(postgres: str, settings: dict[str, str], where: str) -> Machine:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return Machine(cpus or 0, model, memory, postgres, settings, where)


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit {head}" + (" with local changes" if dirty else "")


def _p50(series: Series | None) -> float | None:
    return series.p50 if series is not None else None


def _p99(series: Series | None) -> float | None:
    return series.p99 if series is not None else None


def ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.2f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}x"


def _ok(passed: bool | None) -> str:
    return "n/a" if passed is None else ("**met**" if passed else "**missed**")


def _versions() -> str:
    names = ["fastapi", "uvicorn", "uvloop", "httptools", "sqlalchemy", "asyncpg", "orjson"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except Exception:
            continue
    return ", ".join(found)


def render(run: Run) -> str:
    m = run.machine
    first, last = run.phases[0], run.phases[-1]
    lines = [
        "# Benchmarks",
        "",
        f"_Written by `make bench` on {run.finished:%Y-%m-%d %H:%M} UTC ({_git()}); the run "
        f"took {(run.finished - run.started).total_seconds() / 60:.0f} min._",
        "",
        f"Command: {run.command}",
        "",
        "Targets (issue 3): the task list's p50 within 2x of the floor at every tier; 10x "
        "more rows costs at most 1.2x in p50; the summary endpoint's p50 under 10 ms at 1M "
        "rows.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m.cpus} cores (`nproc`), {m.cpu_model} |",
        f"| Memory | {m.memory_gib:.1f} GiB |",
        f"| PostgreSQL | {m.postgres} ({m.where}) |",
        "| PostgreSQL settings | "
        + ", ".join(f"{k}={v}" for k, v in sorted(m.settings.items()))
        + " |",
        f"| Python | {platform.python_version()}; {_versions()} |",
        "",
        "Client, server and PostgreSQL share these cores.",
        "",
        "## Data",
        "",
        f"- {sum(run.units_by_kind.values()):,} org units: "
        + ", ".join(f"{n:,} {k}" for k, n in sorted(run.units_by_kind.items(), key=lambda x: -x[1]))
        + ".",
        f"- {run.users:,} users, {run.grants:,} grants (an officer at every tier unit, plus "
        "the four callers below).",
        "- Tasks and issues: "
        + ", then ".join(f"{p.rows:,} of each" for p in run.phases)
        + ". Tasks flow down the chain (street to community, county departments and task "
        "forces to streets and communities, county to street, prefecture to county, ...); "
        "issues are raised in communities, streets and enterprises and handled there or "
        "escalated. Activity is heavy-tailed; the community below is the busiest one.",
        "",
        "| caller | grant at | "
        + " | ".join(f"tasks visible at {p.rows:,}" for p in run.phases)
        + " | "
        + " | ".join(f"issues visible at {p.rows:,}" for p in run.phases)
        + " |",
        "|---|---|" + "---:|" * (2 * len(run.phases)),
    ]
    for caller in CALLERS:
        _username, unit = run.seeded.callers[caller]
        lines.append(
            f"| {caller} | {unit.name} ({unit.kind}) | "
            + " | ".join(f"{p.visible[caller][0]:,}" for p in run.phases)
            + " | "
            + " | ".join(f"{p.visible[caller][1]:,}" for p in run.phases)
            + " |"
        )
    lines += ["", "Seeding (set-based SQL; seconds):", "", "| step | s |", "|---|---:|"]
    for step, seconds in run.seeded.timings.items():
        lines.append(f"| {step} | {seconds:.1f} |")
    lines.append(f"| **total** | **{sum(run.seeded.timings.values()):.1f}** |")

    lines += [
        "",
        "## Task list: `GET /api/v1/tasks?limit=50` (default sort, newest first)",
        "",
        "Endpoint: over HTTP against a uvicorn process (1 worker). Floor: the same SQL the "
        "endpoint ran (captured), on a plain asyncpg connection, rows to dicts, orjson. "
        "Times in ms; throughput in requests per second.",
    ]
    for phase in run.phases:
        lines += ["", f"### {phase.rows:,} tasks and {phase.rows:,} issues", ""]
        if phase.load:
            loads = " → ".join(", ".join(f"{v:.2f}" for v in load) for load in phase.load)
            lines += [f"Load average (1, 5, 15 min), start → end of the phase: {loads}.", ""]
        if phase.busy:
            lines += [
                "Other processes using the CPU when the phase started (share of one core): "
                + ", ".join(phase.busy)
                + ".",
                "",
            ]
        lines += [
            "| caller | clients | endpoint p50 | p99 | req/s | floor p50 | p99 | req/s | "
            "p50 ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for concurrency in run.concurrency:
            for caller in CALLERS:
                e = phase.endpoint.get((caller, concurrency))
                f = phase.floor.get((caller, concurrency))
                lines.append(
                    f"| {caller} | {concurrency} | {ms(_p50(e))} | {ms(_p99(e))} | "
                    f"{e.throughput if e else 0:.0f} | {ms(_p50(f))} | {ms(_p99(f))} | "
                    f"{f.throughput if f else 0:.0f} | "
                    f"{_fmt_ratio(_ratio(_p50(e), _p50(f)))} |"
                )

    growth: dict[str, float | None] = {}
    if len(run.phases) > 1:
        lines += [
            "",
            f"## {last.rows // first.rows}x more rows: p50 at {first.rows:,} vs {last.rows:,} "
            "(1 client)",
            "",
            f"| caller | endpoint {first.rows:,} | endpoint {last.rows:,} | ratio | "
            f"floor {first.rows:,} | floor {last.rows:,} | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for caller in CALLERS:
            a, b = first.endpoint.get((caller, 1)), last.endpoint.get((caller, 1))
            fa, fb = first.floor.get((caller, 1)), last.floor.get((caller, 1))
            growth[caller] = _ratio(_p50(b), _p50(a))
            lines.append(
                f"| {caller} | {ms(_p50(a))} | {ms(_p50(b))} | "
                f"{_fmt_ratio(growth[caller])} | {ms(_p50(fa))} | {ms(_p50(fb))} | "
                f"{_fmt_ratio(_ratio(_p50(fb), _p50(fa)))} |"
            )

    lines += [
        "",
        "## Summary: `GET /api/v1/stats/summary?org_id=` (the caller's grant unit, 1 client)",
        "",
        "| caller | "
        + " | ".join(f"p50 at {p.rows:,}" for p in run.phases)
        + f" | p99 at {last.rows:,} | req/s at {last.rows:,} |",
        "|---|" + "---:|" * (len(run.phases) + 2),
    ]
    for caller in CALLERS:
        s = last.summary.get(caller)
        lines.append(
            f"| {caller} | "
            + " | ".join(
                ms(p.summary[caller].p50) if caller in p.summary else "–" for p in run.phases
            )
            + f" | {ms(_p99(s))} | {s.throughput if s else 0:.0f} |"
        )

    ratios = [
        _ratio(e.p50, last.floor[key].p50) for key, e in last.endpoint.items() if key in last.floor
    ] + [
        _ratio(e.p50, first.floor[key].p50)
        for key, e in first.endpoint.items()
        if key in first.floor
    ]
    worst_ratio = max((r for r in ratios if r is not None), default=None)
    worst_growth = max((g for g in growth.values() if g is not None), default=None)
    summaries = [s.p50 for s in last.summary.values()]
    worst_summary = max(summaries) if summaries else None
    lines += [
        "",
        "## Targets",
        "",
        "| target | measured (worst case) | |",
        "|---|---:|---|",
        f"| list p50 within {TARGET_RATIO:.0f}x of the floor, every tier, 1 and 16 clients | "
        f"{_fmt_ratio(worst_ratio)} | "
        f"{_ok(None if worst_ratio is None else worst_ratio <= TARGET_RATIO)} |",
        f"| 10x rows costs at most {TARGET_GROWTH}x in p50 | {_fmt_ratio(worst_growth)} | "
        f"{_ok(None if worst_growth is None else worst_growth <= TARGET_GROWTH)} |",
        f"| summary p50 under {TARGET_SUMMARY_MS:.0f} ms at {last.rows:,} rows | "
        f"{ms(worst_summary)} ms | "
        f"{_ok(None if worst_summary is None else worst_summary * 1000 < TARGET_SUMMARY_MS)} |",
    ]

    if last.breakdown:
        lines += [
            "",
            f"## Where the time goes ({last.rows:,} rows; p50 in ms, one call at a time)",
            "",
            "Each layer in this process (no network) except the last row, which is the "
            "endpoint over HTTP from the table above.",
            "",
            "| layer | " + " | ".join(CALLERS) + " |",
            "|---|" + "---:|" * len(CALLERS),
        ]
        names = [layer.name for layer in last.breakdown[CALLERS[0]]]
        for i, name in enumerate(names):
            lines.append(
                f"| {name} | "
                + " | ".join(ms(last.breakdown[c][i].p50) for c in CALLERS if c in last.breakdown)
                + " |"
            )
        lines.append(
            "| endpoint over HTTP (uvicorn) | "
            + " | ".join(ms(last.endpoint[(c, 1)].p50) for c in CALLERS if (c, 1) in last.endpoint)
            + " |"
        )
    if last.statements:
        caller = CALLERS[2]
        lines += [
            "",
            f"The statements the endpoint ran for the {caller} (captured):",
            "",
            "```sql",
            *[f"-- {len(params)} parameters\n{sql}" for sql, params in last.statements[caller]],
            "```",
        ]
    if last.profile:
        lines += [
            "",
            f"<details><summary>cProfile of in-process requests ({last.profiled}), "
            "functions by own time (the outermost ASGI frames' own time includes the waits "
            "for PostgreSQL)</summary>",
            "",
            "```",
            last.profile.strip(),
            "```",
            "</details>",
        ]
    lines += [
        "",
        "## Method",
        "",
        "- A fresh database on the server named above, migrated, seeded set-wise; the "
        "stats triggers are off during the load and `stats_rebuild()` runs after it; "
        "`VACUUM ANALYZE` and a checkpoint after each load, then up to two minutes' wait "
        "for the load average to settle below 1.",
        "- The server: `python -m uvicorn app.main:create_app --factory --workers 1 "
        "--host 127.0.0.1 --no-access-log`, `ENVIRONMENT=production`. Callers sign in "
        "once through `POST /api/v1/auth/token`.",
        "- The endpoint's read path: the caller's grants and the page are two plain-SQL "
        "statements, each on a connection from the app's asyncpg read pool "
        "(`app/core/db.py`, autocommit, no SQLAlchemy session); the page's rows are rendered "
        "(allowed actions, derived flags, party names) and encoded with orjson. The floor "
        "runs the same two statements on one plain connection and encodes the raw rows.",
        "- The client: raw keep-alive HTTP/1.1 on asyncio streams (uvloop), one connection "
        f"per concurrent client; {run.requests} requests at 1 client and "
        f"{run.requests * 4} at 16 for each of endpoint and floor, and {run.requests} for "
        "each summary, in 4 rounds spread over the phase (every caller's endpoint, floor and "
        "summary series in each round), so that other work on the machine weighs on all of "
        "them alike; each part starts with a warm-up request and is capped in time.",
        "- Load averages are for the whole machine; above about 2 before a phase, other "
        "work was competing for the two cores and every figure is slower than on an idle "
        "machine (the ratios less so).",
        "- p50/p99 are per-request latencies as the client sees them; throughput is "
        "completed requests over the series' wall time.",
        *[f"- {note}" for note in run.notes],
        "",
    ]
    return "\n".join(lines)


def write(run: Run, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(run))


def now() -> datetime:
    return datetime.now(UTC)
