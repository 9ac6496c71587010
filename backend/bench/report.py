"""The figures of a run, kept per size (docs/benchmarks/<rows>.json), and
docs/benchmarks.md, written from every size kept: a run at 10M leaves the 1M table in
place and sets its own beside it."""

import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson

from bench.load import Series
from bench.screens import FEED_PAGE
from bench.seed import CALLERS

REPO = Path(__file__).resolve().parents[2]
KEPT = REPO / "docs" / "benchmarks"
TARGET_FLOOR = 2.0  # a read's or a write's p50 over its floor's
TARGET_FEED = 2.0  # a read's p50 over the default feed page's, same caller, same run
TARGET_GROWTH = 1.1  # p50 at the largest size over p50 at the smallest


@dataclass
class Figures:
    p50: float  # seconds
    p99: float
    throughput: float  # per second
    count: int

    @classmethod
    def of(cls, series: Series) -> "Figures":
        if not series.count:
            return cls(0.0, 0.0, 0.0, 0)
        return cls(series.p50, series.p99, series.throughput, series.count)


@dataclass
class Phase:
    rows: int
    visible: dict[str, tuple[int, int]]
    # (read, caller, clients, "endpoint" | "floor")
    reads: dict[tuple[str, str, int, str], Figures] = field(default_factory=dict)
    # (write, clients, "endpoint" | "floor")
    writes: dict[tuple[str, int, str], Figures] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)  # "read | caller" -> count
    sizes: dict[str, int] = field(default_factory=dict)
    load: list[tuple[float, float, float]] = field(default_factory=list)
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
    callers: dict[str, tuple[str, str]]  # caller -> (unit name, kind)
    timings: dict[str, float]
    units_by_kind: dict[str, int]
    users: int
    grants: int
    phase: Phase
    concurrency: tuple[int, ...]
    requests: int
    writes: int
    commit: str = ""


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


def _versions() -> str:
    names = ["fastapi", "uvicorn", "uvloop", "httptools", "sqlalchemy", "asyncpg", "orjson"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except Exception:
            continue
    return ", ".join(found)


# ---------------------------------------------------------------- keeping the figures


def _key(parts: tuple[Any, ...]) -> str:
    return " | ".join(str(p) for p in parts)


def keep(run: Run) -> Path:
    run.commit = _git()
    data = asdict(run)
    data["phase"]["reads"] = {_key(k): asdict(v) for k, v in run.phase.reads.items()}
    data["phase"]["writes"] = {_key(k): asdict(v) for k, v in run.phase.writes.items()}
    data["python"] = f"{platform.python_version()}; {_versions()}"
    KEPT.mkdir(parents=True, exist_ok=True)
    path = KEPT / f"{run.phase.rows}.json"
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    return path


def _figures(raw: dict[str, Any]) -> dict[tuple[str, ...], Figures]:
    return {tuple(k.split(" | ")): Figures(**v) for k, v in raw.items()}


def kept() -> list[dict[str, Any]]:
    """Every size kept, smallest first."""
    runs = [orjson.loads(p.read_bytes()) for p in KEPT.glob("*.json")]
    return sorted(runs, key=lambda r: int(r["phase"]["rows"]))


# ---------------------------------------------------------------- the report


def ms(seconds: float | None) -> str:
    return "–" if not seconds else f"{seconds * 1000:.2f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}x {'✅' if value <= target else '❌'}"


def _read_names(reads: dict[tuple[str, ...], Figures]) -> list[str]:
    names: list[str] = []
    for name, *_ in reads:
        if name not in names:
            names.append(name)
    return names


def _reads_table(run: dict[str, Any], clients: int) -> tuple[list[str], list[float | None]]:
    """The reads at `clients`; and each read's ratios (for the targets' summary)."""
    reads = _figures(run["phase"]["reads"])
    lines = [
        "| request | caller | p50 | p99 | req/s | floor p50 | floor p99 | floor req/s "
        f"| vs floor (≤ {TARGET_FLOOR:.1f}x) | vs feed page (≤ {TARGET_FEED:.1f}x) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios: list[float | None] = []
    for name in _read_names(reads):
        for caller in CALLERS:
            e = reads.get((name, caller, str(clients), "endpoint"))
            f = reads.get((name, caller, str(clients), "floor"))
            feed = reads.get((FEED_PAGE, caller, str(clients), "endpoint"))
            if e is None:
                continue
            over_floor = _ratio(e.p50, f.p50 if f else None)
            over_feed = None if name == FEED_PAGE else _ratio(e.p50, feed.p50 if feed else None)
            ratios += [over_floor]
            lines.append(
                f"| {name} | {caller} | {ms(e.p50)} | {ms(e.p99)} | {e.throughput:.0f} | "
                f"{ms(f.p50 if f else None)} | {ms(f.p99 if f else None)} | "
                f"{f.throughput if f else 0:.0f} | {_verdict(over_floor, TARGET_FLOOR)} | "
                f"{'(the yardstick)' if name == FEED_PAGE else _verdict(over_feed, TARGET_FEED)} |"
            )
    return lines, ratios


def _writes_table(run: dict[str, Any]) -> list[str]:
    writes = _figures(run["phase"]["writes"])
    names: list[str] = []
    for name, *_ in writes:
        if name not in names:
            names.append(name)
    lines = [
        "| write | clients | p50 | p99 | req/s | floor p50 | floor p99 | floor req/s "
        f"| vs floor (≤ {TARGET_FLOOR:.1f}x) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for clients in run["concurrency"]:
        for name in names:
            e = writes.get((name, str(clients), "endpoint"))
            f = writes.get((name, str(clients), "floor"))
            if e is None:
                continue
            lines.append(
                f"| {name} | {clients} | {ms(e.p50)} | {ms(e.p99)} | {e.throughput:.0f} | "
                f"{ms(f.p50 if f else None)} | {ms(f.p99 if f else None)} | "
                f"{f.throughput if f else 0:.0f} | "
                f"{_verdict(_ratio(e.p50, f.p50 if f else None), TARGET_FLOOR)} |"
            )
    return lines


def _targets(run: dict[str, Any]) -> list[str]:
    """How many of the run's figures meet each target (1 client, as the targets are
    stated for p50 of one user's wait; 16 clients are shown beside)."""
    reads = _figures(run["phase"]["reads"])
    writes = _figures(run["phase"]["writes"])
    lines = ["| target | 1 client | 16 clients |", "|---|---:|---:|"]

    def count(values: list[float | None], target: float) -> str:
        known = [v for v in values if v is not None]
        met = sum(v <= target for v in known)
        worst = max(known, default=None)
        return f"{met} of {len(known)} met (worst {worst:.2f}x)" if known else "–"

    cells: dict[str, list[str]] = {"floor": [], "feed": [], "writes": []}
    for clients in run["concurrency"]:
        c = str(clients)
        over_floor, over_feed, write_ratios = [], [], []
        for (name, caller, at, kind), e in reads.items():
            if at != c or kind != "endpoint":
                continue
            f = reads.get((name, caller, at, "floor"))
            over_floor.append(_ratio(e.p50, f.p50 if f else None))
            feed = reads.get((FEED_PAGE, caller, at, "endpoint"))
            if name != FEED_PAGE:
                over_feed.append(_ratio(e.p50, feed.p50 if feed else None))
        for (name, at, kind), e in writes.items():
            if at == c and kind == "endpoint":
                f = writes.get((name, at, "floor"))
                write_ratios.append(_ratio(e.p50, f.p50 if f else None))
        cells["floor"].append(count(over_floor, TARGET_FLOOR))
        cells["feed"].append(count(over_feed, TARGET_FEED))
        cells["writes"].append(count(write_ratios, TARGET_FLOOR))
    lines.append(
        f"| every read p50 ≤ {TARGET_FLOOR:.1f}x its floor | " + " | ".join(cells["floor"]) + " |"
    )
    lines.append(
        f"| every read p50 ≤ {TARGET_FEED:.1f}x the feed page's p50 (same caller) | "
        + " | ".join(cells["feed"])
        + " |"
    )
    lines.append(
        f"| every write p50 ≤ {TARGET_FLOOR:.1f}x its floor | " + " | ".join(cells["writes"]) + " |"
    )
    return lines


def _growth(small: dict[str, Any], large: dict[str, Any]) -> list[str]:
    a, b = _figures(small["phase"]["reads"]), _figures(large["phase"]["reads"])
    wa, wb = _figures(small["phase"]["writes"]), _figures(large["phase"]["writes"])
    rs, rl = small["phase"]["rows"], large["phase"]["rows"]
    lines = [
        f"p50 at 1 client, {rl:,} rows over {rs:,} (target ≤ {TARGET_GROWTH}x):",
        "",
        f"| request | caller | p50 at {rs:,} | p50 at {rl:,} | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    ratios = []
    for name in _read_names(b):
        for caller in CALLERS:
            x, y = a.get((name, caller, "1", "endpoint")), b.get((name, caller, "1", "endpoint"))
            if x and y:
                ratio = _ratio(y.p50, x.p50)
                ratios.append(ratio)
                lines.append(
                    f"| {name} | {caller} | {ms(x.p50)} | {ms(y.p50)} | "
                    f"{_verdict(ratio, TARGET_GROWTH)} |"
                )
    for (name, clients, kind), y in wb.items():
        x = wa.get((name, clients, kind))
        if clients == "1" and kind == "endpoint" and x:
            ratio = _ratio(y.p50, x.p50)
            ratios.append(ratio)
            lines.append(
                f"| {name} | (write) | {ms(x.p50)} | {ms(y.p50)} | "
                f"{_verdict(ratio, TARGET_GROWTH)} |"
            )
    known = [r for r in ratios if r is not None]
    met = sum(r <= TARGET_GROWTH for r in known)
    lines += ["", f"{met} of {len(known)} within {TARGET_GROWTH}x."]
    return lines


def _size_section(run: dict[str, Any]) -> list[str]:
    phase = run["phase"]
    rows = phase["rows"]
    m = run["machine"]
    took = (
        datetime.fromisoformat(run["finished"]) - datetime.fromisoformat(run["started"])
    ).total_seconds()
    lines = [
        f"## {rows:,} tasks and {rows:,} issues",
        "",
        f"_{run['command']} on {run['finished'][:16].replace('T', ' ')} UTC "
        f"({run['commit']}); the run took {took / 60:.0f} min._",
        "",
        f"Machine: {m['cpus']} cores, {m['cpu_model']}, {m['memory_gib']:.1f} GiB; "
        f"{m['postgres']} ({m['where']}; "
        + ", ".join(f"{k}={v}" for k, v in sorted(m["settings"].items()))
        + f"); Python {run['python']}. Client, server and PostgreSQL share these cores.",
        "",
    ]
    loads = " → ".join(", ".join(f"{v:.2f}" for v in load) for load in phase["load"])
    lines += [
        f"Load average (1, 5, 15 min) at the start of the reads → of the writes → at the "
        f"end: {loads}."
        + (
            f" Busy besides the benchmark when it began: {', '.join(phase['busy'])}."
            if phase["busy"]
            else ""
        ),
        "",
        "Data: "
        + ", ".join(f"{n:,} {t}" for t, n in phase["sizes"].items())
        + f"; {sum(run['units_by_kind'].values()):,} org units, {run['users']:,} users, "
        f"{run['grants']:,} grants.",
        "",
        "| caller | grant at | tasks visible | issues visible |",
        "|---|---|---:|---:|",
        *(
            f"| {c} | {run['callers'][c][0]} ({run['callers'][c][1]}) | "
            f"{phase['visible'][c][0]:,} | {phase['visible'][c][1]:,} |"
            for c in CALLERS
        ),
        "",
        "Seeding (seconds; tasks and issues load side by side, so the steps overlap):",
        "",
        "| step | s |",
        "|---|---:|",
        *(f"| {step} | {s:.1f} |" for step, s in run["timings"].items()),
        "",
        "### Targets",
        "",
        *_targets(run),
    ]
    for clients in run["concurrency"]:
        table, _ = _reads_table(run, clients)
        lines += ["", f"### Reads at {clients} client{'s' if clients > 1 else ''} (ms)", "", *table]
    lines += ["", "### Writes (ms)", "", *_writes_table(run)]
    return lines


def render(runs: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "_Written by `make bench` (`cd backend && python -m bench`); each size's section by "
        "its own run (`--rows`), from the figures it keeps in `docs/benchmarks/<rows>.json`._",
        "",
        "What users wait for: every request the SPA's screens send (`backend/bench/screens.py`"
        ", read off `frontend/src/pages` and `src/api/workitems.ts`), over HTTP with "
        "`Accept-Encoding: br, gzip`, as four callers (a community officer, a street "
        "leader, a county leader, a prefecture observer), each against its floor: the same "
        "SQL statements the endpoint ran (captured in process), run directly through asyncpg "
        "on a plain connection, rows to dicts and orjson; a write's in one transaction, on "
        "another item in the same state.",
        "",
        "Targets (issue 9): every read's p50 ≤ 2.0x its floor, with the production "
        "middleware on; every read's p50 ≤ 2x the default feed page's (`GET /tasks`, newest "
        "first) in the same run, so that the statement itself is fast; every write's p50 ≤ "
        "2x its floor; p50 at 10M ≤ 1.1x p50 at 1M.",
        "",
    ]
    if len(runs) > 1:
        lines += [
            f"## Growth: {runs[-1]['phase']['rows']:,} rows over {runs[0]['phase']['rows']:,}",
            "",
        ]
        lines += [*_growth(runs[0], runs[-1]), ""]
    for run in runs:
        lines += [*_size_section(run), ""]
    lines += [
        "## Method",
        "",
        "- A fresh database on the server named above, migrated, seeded set-wise "
        "(`bench/seed.py`): the org tree, users and grants; tasks and issues loaded side by "
        "side on two connections with every trigger off and the indexes, primary keys and "
        "foreign keys dropped, each table emptied in the transaction that fills it, each "
        "row's colour moments (red_from, yellow_from, blue_from, the yellow flag, the "
        "colour), acceptance limit, submission and return counts and pending extension "
        "requests computed in the INSERT itself, from a table of working days, each title's "
        "search grams looked up among the seeded titles' (worked out once by "
        "`search_grams()` itself); then the unit feeds, the indexes, `stats_rebuild()` (the "
        "summary's and the scorecards' rollups) and `todo_rebuild()` (the to-do's tallies) "
        "set-wise; notices of the last 90 days, and a chasing notice to the acting unit's "
        "people on each late open item (acknowledged when older than a week); the moments "
        "and the grams checked against the triggers and the function on a sample. Titles: "
        "one of eight and a subject; the subject 光伏 in about one task in a thousand. The "
        "timeline opened has eight events. The database is dropped afterwards unless "
        "`--keep`.",
        "- The database server: an embedded PostgreSQL (`make bench` without "
        "`BENCH_DATABASE_URL`) is set up as for a loaded production server "
        "(`bench/database.py`: shared_buffers 2 GB, wal_buffers 64 MB, max_wal_size 16 GB, "
        "checkpoint_timeout 30 min, wal_level minimal, so the load's rows are not also "
        "written to the WAL); a server given by URL is measured as it is.",
        "- The server: `python -m uvicorn app.main:create_app --factory --workers 1 "
        "--host 127.0.0.1 --no-access-log`, `ENVIRONMENT=production` (the production "
        "middleware), `RUN_WORKER=false` (no job worker in the server, so no sweep runs "
        "between the requests timed). Callers sign in once through `POST /api/v1/auth/token`.",
        "- The client: raw keep-alive HTTP/1.1 on asyncio streams (uvloop), one connection "
        "per concurrent client. Reads: each series split in two rounds spread over the phase, "
        "a warm-up request first; writes: each request once, on its own item (the items the "
        "step before wrote, endpoint and floor each on their own).",
        "- The floors of the notification reads include the due-notice sweep's statements "
        "(they run on every read of the notifications); a write's floor replays its "
        "statements with fresh ids (the new item's, its audit entry's, the idempotency "
        "key).",
        "- p50/p99 are per-request latencies as the client sees them; throughput is "
        "completed requests over the series' wall time. Load averages are for the whole "
        "machine: above about 2, other work was competing for the two cores.",
        "",
    ]
    return "\n".join(lines)


def write(output: str) -> None:
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(kept()))


def now() -> datetime:
    return datetime.now(UTC)
