"""Seeding a large, realistic database fast: the org tree and the (issuer, assignee) and
(reporter, handler) pairs are built in Python and COPYed (about 10^4 rows); tasks and
issues are generated set-wise in SQL (INSERT ... SELECT FROM generate_series), with
deterministic pseudo-random attributes (hashint8extended of the row number), so a run is
reproducible. Tasks and issues load side by side on two connections, with the feed and
rollup triggers off and the indexes, keys and foreign keys dropped; the feeds, the
indexes, the foreign keys and the rollups (stats_rebuild()) are built set-wise afterwards.

Activity is heavy-tailed, as it is in practice (project sites draw most of the work): the
pair for row g is picked at index floor(n * u^2) of a shuffled list, so a few units carry
much of the load. The benchmark's community is the busiest one; its street and county
are that community's.
"""

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from app.auth.passwords import hash_password
from app.calendar.service import limit_after
from app.notifications.service import NOTIFIED_ROLES
from app.tasks.models import ACCEPT_WORKING_DAYS

PASSWORD = "bench-password-not-secret"
CALLERS = ("community officer", "street leader", "county leader", "prefecture observer")


@dataclass
class Unit:
    key: int
    name: str
    kind: str
    tier: str
    code: str
    parent: "Unit | None"
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    children: list["Unit"] = field(default_factory=list)

    @property
    def path(self) -> list[int]:
        return [*(self.parent.path if self.parent else []), self.key]

    def kids(self, kind: str) -> list["Unit"]:
        return [c for c in self.children if c.kind == kind]


@dataclass
class Tree:
    units: list[Unit]
    root: Unit

    def of_kind(self, kind: str) -> list[Unit]:
        return [u for u in self.units if u.kind == kind]


@dataclass(frozen=True)
class Shape:
    counties: int = 12
    streets: int = 20  # per county
    communities: int = 35  # per street
    county_departments: int = 20
    county_taskforces: int = 3  # each with 3 groups
    county_enterprises: int = 40
    street_enterprises: int = 5
    prefecture_departments: int = 30
    prefecture_taskforces: int = 4


def build_tree(shape: Shape) -> Tree:
    units: list[Unit] = []

    def add(name: str, kind: str, tier: str, code: str, parent: Unit | None) -> Unit:
        unit = Unit(len(units) + 1, name, kind, tier, code, parent)
        units.append(unit)
        if parent is not None:
            parent.children.append(unit)
        return unit

    root = add("联动市", "prefecture", "prefecture", "P", None)
    for d in range(shape.prefecture_departments):
        add(f"市第{d + 1}局", "department", "prefecture", f"P-D{d + 1}", root)
    for t in range(shape.prefecture_taskforces):
        tf = add(f"市第{t + 1}专班", "taskforce", "prefecture", f"P-T{t + 1}", root)
        for g in range(3):
            add(f"市第{t + 1}专班第{g + 1}组", "group", "prefecture", f"P-T{t + 1}-G{g + 1}", tf)
    for c in range(shape.counties):
        cc = f"C{c + 1:02d}"
        county = add(f"第{c + 1}县", "county", "county", cc, root)
        for d in range(shape.county_departments):
            add(f"{county.name}第{d + 1}局", "department", "county", f"{cc}-D{d + 1}", county)
        for t in range(shape.county_taskforces):
            tf = add(f"{county.name}第{t + 1}专班", "taskforce", "county", f"{cc}-T{t + 1}", county)
            for g in range(3):
                add(f"{tf.name}第{g + 1}组", "group", "county", f"{tf.code}-G{g + 1}", tf)
        for e in range(shape.county_enterprises):
            add(f"{county.name}企业{e + 1}", "enterprise", "county", f"{cc}-E{e + 1}", county)
        for s in range(shape.streets):
            sc = f"{cc}S{s + 1:02d}"
            street = add(f"{county.name}第{s + 1}街道", "street", "street", sc, county)
            for e in range(shape.street_enterprises):
                add(f"{street.name}企业{e + 1}", "enterprise", "street", f"{sc}-E{e + 1}", street)
            for m in range(shape.communities):
                name, code = f"{street.name}第{m + 1}社区", f"{sc}M{m + 1:02d}"
                add(name, "community", "community", code, street)
    return Tree(units, root)


# Pair categories: (weight, pairs). Weights sum to 1.
Pairs = list[tuple[Unit, Unit]]


def task_categories(tree: Tree) -> list[tuple[float, Pairs]]:
    root = tree.root
    counties = tree.of_kind("county")
    streets = tree.of_kind("street")
    communities = tree.of_kind("community")
    street_down: Pairs = [(m.parent, m) for m in communities if m.parent]
    directing: Pairs = []  # county departments and task forces direct streets and communities
    for county in counties:
        departments = county.kids("department")
        taskforces = county.kids("taskforce")
        for s_i, street in enumerate(county.kids("street")):
            for m_i, unit in enumerate([street, *street.kids("community")]):
                directing.append((departments[(s_i + m_i) % len(departments)], unit))
                directing.append((taskforces[(s_i * 7 + m_i) % len(taskforces)], unit))
    county_down: Pairs = [(s.parent, s) for s in streets if s.parent]
    county_departments: Pairs = [(c, d) for c in counties for d in c.kids("department")]
    to_enterprises: Pairs = [(e.parent, e) for e in tree.of_kind("enterprise") if e.parent]
    prefecture_down: Pairs = [(root, c) for c in counties]
    prefecture_down += [(u, c) for u in root.kids("department") for c in counties]
    prefecture_down += [(u, c) for u in root.kids("taskforce") for c in counties]
    groups: Pairs = [(g.parent, g) for g in tree.of_kind("group") if g.parent]
    return [
        (0.48, street_down),
        (0.15, directing),
        (0.12, county_down),
        (0.05, county_departments),
        (0.05, to_enterprises),
        (0.08, prefecture_down),
        (0.02, groups),
        (0.05, [(c, e) for c in counties for e in c.kids("enterprise")]),
    ]


def _tier_above(unit: Unit) -> Unit:
    parent = unit.parent
    while parent is not None and parent.kind not in ("prefecture", "county", "street"):
        parent = parent.parent
    assert parent is not None
    return parent


def issue_categories(tree: Tree) -> list[tuple[float, Pairs]]:
    root = tree.root
    communities = tree.of_kind("community")
    streets = tree.of_kind("street")
    enterprises = tree.of_kind("enterprise")
    street_ent = [e for e in enterprises if e.tier == "street"]
    county_ent = [e for e in enterprises if e.tier == "county"]
    return [
        (0.45, [(m, m) for m in communities]),
        (0.20, [(m, _tier_above(m)) for m in communities]),
        (0.08, [(m, _tier_above(_tier_above(m))) for m in communities]),
        (0.02, [(m, root) for m in communities]),
        (0.08, [(s, s) for s in streets]),
        (0.05, [(s, _tier_above(s)) for s in streets]),
        (0.04, [(e, e) for e in street_ent]),
        (0.04, [(e, _tier_above(e)) for e in street_ent]),
        (0.04, [(e, _tier_above(e)) for e in county_ent]),
    ]


@dataclass
class Seeded:
    tree: Tree | None  # None when an earlier run's database is reused
    callers: dict[str, tuple[str, Unit]]  # caller -> (username, unit of the grant)
    timings: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    paths: dict[str, list[int]] = field(default_factory=dict)  # caller -> grant unit path

    def path_of(self, caller: str) -> list[int]:
        return self.paths.get(caller) or self.callers[caller][1].path


def _shuffled(pairs: Pairs, rng: random.Random) -> Pairs:
    copy = list(pairs)
    rng.shuffle(copy)
    return copy


@asynccontextmanager
async def timed(seeded: Seeded, label: str) -> Any:
    started = time.perf_counter()
    yield
    seeded.timings[label] = seeded.timings.get(label, 0.0) + time.perf_counter() - started


def _pair_rows(
    kind: str, categories: list[tuple[float, Pairs]]
) -> Iterator[tuple[str, int, int, uuid.UUID, list[int], uuid.UUID, list[int], str]]:
    for cat, (_, pairs) in enumerate(categories):
        for i, (a, b) in enumerate(pairs):
            yield (kind, cat, i, a.id, a.path, b.id, b.path, b.tier)


def _category_rows(
    kind: str, categories: list[tuple[float, Pairs]]
) -> list[tuple[str, int, float, float, int]]:
    rows, low = [], 0.0
    for cat, (weight, pairs) in enumerate(categories):
        high = 1.0 if cat == len(categories) - 1 else low + weight
        rows.append((kind, cat, low, high, len(pairs)))
        low = high
    return rows


def _parent_path(unit: Unit) -> tuple[uuid.UUID | None, list[int]]:
    return (unit.parent.id if unit.parent else None, unit.path)


async def seed_tree(conn: asyncpg.Connection, shape: Shape) -> Seeded:
    tree = build_tree(shape)
    seeded = Seeded(tree=tree, callers={})
    async with timed(seeded, "org tree, users, grants"):
        now = datetime.now(UTC)
        await conn.copy_records_to_table(
            "org_units",
            records=[
                (u.id, u.key, u.name, u.kind, u.tier, u.code, *_parent_path(u), now, now)
                for u in tree.units
            ],
            columns=[
                "id",
                "key",
                "name",
                "kind",
                "tier",
                "code",
                "parent_id",
                "path",
                "created_at",
                "updated_at",
            ],
        )
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('org_units', 'key'), max(key)) FROM org_units"
        )
        password_hash = await hash_password(PASSWORD)
        # One officer for every tier unit, as a populated users/grants table would have.
        await conn.execute(
            """
            WITH u AS (
                INSERT INTO users (id, username, display_name, password_hash, is_active)
                SELECT gen_random_uuid(), 'officer.' || lower(code), name || '办公室', $1, true
                FROM org_units WHERE kind IN ('prefecture', 'county', 'street', 'community')
                RETURNING id, username
            )
            INSERT INTO grants (id, user_id, org_id, role)
            SELECT gen_random_uuid(), u.id, o.id, 'officer'
            FROM u JOIN org_units o ON u.username = 'officer.' || lower(o.code)
            """,
            password_hash,
        )
        # The busiest community (index 0 of the shuffled street -> community pairs).
        rng = random.Random(20261126)
        task_cats = [(w, _shuffled(p, rng)) for w, p in task_categories(tree)]
        issue_cats = [(w, _shuffled(p, rng)) for w, p in issue_categories(tree)]
        community = task_cats[0][1][0][1]
        street = _tier_above(community)
        county = _tier_above(street)
        grants = {
            "community officer": (community, "officer"),
            "street leader": (street, "leader"),
            "county leader": (county, "leader"),
            "prefecture observer": (tree.root, "observer"),
        }
        for caller, (unit, role) in grants.items():
            username = "bench." + caller.replace(" ", ".")
            user_id = uuid.uuid4()
            await conn.execute(
                "INSERT INTO users (id, username, display_name, password_hash, is_active) "
                "VALUES ($1, $2, $3, $4, true)",
                user_id,
                username,
                caller,
                password_hash,
            )
            await conn.execute(
                "INSERT INTO grants (id, user_id, org_id, role) "
                "VALUES (gen_random_uuid(), $1, $2, $3)",
                user_id,
                unit.id,
                role,
            )
            seeded.callers[caller] = (username, unit)

        await conn.execute(
            """
            CREATE TABLE bench_pairs (
                kind text, cat int, i int, a_id uuid, a_path int[], b_id uuid, b_path int[],
                b_tier text, PRIMARY KEY (kind, cat, i));
            CREATE TABLE bench_categories (
                kind text, cat int, low float8, high float8, n int, PRIMARY KEY (kind, cat));
            CREATE FUNCTION bench_u(g bigint, salt bigint) RETURNS float8
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT (hashint8extended(g, salt) & 281474976710655)::float8
                         / 281474976710656 $$;
            -- The day of bench_days whose blue_from is a due date's (colour_blue_from):
            -- its local date, the next one when it is due after 18:00.
            CREATE FUNCTION bench_blue_day(due timestamptz, zone text) RETURNS date
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT (due AT TIME ZONE zone)::date
                         + CASE WHEN (due AT TIME ZONE zone)::time > time '18:00' THEN 1
                                ELSE 0 END $$;
            """
        )
        await conn.copy_records_to_table(
            "bench_pairs",
            records=[*_pair_rows("task", task_cats), *_pair_rows("issue", issue_cats)],
        )
        await conn.copy_records_to_table(
            "bench_categories",
            records=_category_rows("task", task_cats) + _category_rows("issue", issue_cats),
        )
        await conn.execute("ANALYZE bench_pairs; ANALYZE bench_categories")
        await conn.execute("VACUUM (ANALYZE) org_units, users, grants")
    return seeded


TASK_TITLES = [
    "落实电子元器件车间用电增容",
    "棒球车间招工对接",
    "企业用地手续办理",
    "政策兑现：稳岗补贴",
    "项目现场安全检查",
    "周调度会议定事项",
    "协调供水管网接入",
    "招工信息进社区宣传",
]
# A title is one of TASK_TITLES and a subject (no number: the search grams, generated from
# the title on insert, cost about 5 us a character and dominate the load). SUBJECTS never
# repeat a pair of characters of TASK_TITLES; RARE_SUBJECT goes to about one task in a
# thousand (the benchmark's rare search term, see screens.SEARCH_TERMS).
SUBJECTS = ["一期", "二期", "东区", "西区", "南片", "北片", "园区", "码头", "新城", "老城"]
RARE_SUBJECT = "光伏"
# An issue's title names its category (INSERT_ISSUES's categories, in the same order).
ISSUE_SUBJECTS = ["用地", "用电", "用水", "施工", "用工", "物资", "政策", "资金", "其他"]
DESCRIPTION = (
    "按照联席会议部署，责任单位须在期限内完成并反馈进展；"
    "涉及多部门的事项由牵头单位统筹协调，遇到堵点及时上报。"
)

INSERT_TASKS = """
INSERT INTO tasks (
    id, title, description, issuer_org_id, issuer_path, assignee_org_id, assignee_path,
    due_at, priority, source, status, returned_by, progress, created_at, updated_at,
    accept_due_at, accepted_at, submitted_at, completed_at, cancelled_at, submission_count,
    return_count, extension_due_at, extension_requested_at, extension_note, red_from,
    yellow_from, blue_from, yellow, colour, version)
SELECT
    gen_random_uuid(), title, $4, a_id, a_path, b_id, b_path, due_at, priority, source,
    status, returned_by, progress, created_at,
    greatest(created_at, accepted_at, submitted_at, completed_at, cancelled_at,
             extension_requested_at),
    accept_due_at, accepted_at, submitted_at, completed_at, cancelled_at, submission_count,
    return_count, extension_due_at, extension_requested_at,
    CASE WHEN extension_due_at IS NOT NULL THEN '施工受阻，申请延期一周' END,
    red_from, yellow_from, blue_from, yellow,
    colour_at(red_from, yellow, yellow_from, blue_from, $3::timestamptz), 1
FROM (
    -- The colour trigger's moments (sql/0017_colour.sql, colour_task_moments), set-wise:
    -- the working days come from bench_days.
    SELECT m.*,
        CASE WHEN counts THEN
            CASE WHEN status = 'issued' AND accept_due_at < due_at THEN accept_due_at
                 ELSE due_at END
        END AS red_from,
        CASE WHEN counts AND progress + 20 < 100 AND due_at > created_at
            THEN created_at + (due_at - created_at) * ((progress + 20) / 100.0)
        END AS yellow_from,
        CASE WHEN counts THEN blue_from_day END AS blue_from,
        counts AND status = 'returned' AS yellow
    FROM (
        SELECT t.*, a.accept_due AS accept_due_at, b.blue_from AS blue_from_day,
            status IN ('issued', 'accepted', 'in_progress', 'returned') AS counts,
            -- One submission for every task submitted; one returned by its issuer was
            -- submitted and returned once (the scorecards count both).
            CASE WHEN status IN ('submitted', 'done') OR returned_by = 'issuer' THEN 1
                 ELSE 0 END::smallint AS submission_count,
            CASE WHEN returned_by = 'issuer' THEN 1 ELSE 0 END::smallint AS return_count,
            -- A pending extension request on one task in twenty being worked on (the
            -- issuer's `extension` to-do).
            CASE WHEN status = 'in_progress' AND u13 < 0.05
                THEN due_at + interval '7 days' END AS extension_due_at,
            CASE WHEN status = 'in_progress' AND u13 < 0.05
                THEN least($3::timestamptz, created_at + (due_at - created_at) * 0.5)
                END AS extension_requested_at
        FROM (
            SELECT s.*,
                CASE WHEN status NOT IN ('issued', 'returned', 'cancelled')
                    THEN created_at + (due_at - created_at) * 0.1 END AS accepted_at,
                CASE WHEN status IN ('submitted', 'done')
                    THEN created_at + (due_at - created_at) * (0.3 + u5) END AS submitted_at,
                CASE WHEN status = 'done'
                    THEN created_at + (due_at - created_at) * (0.35 + u5) END AS completed_at,
                CASE WHEN status = 'cancelled'
                    THEN created_at + (due_at - created_at) * 0.5 END AS cancelled_at,
                CASE WHEN status = 'returned'
                    THEN CASE WHEN u5 < 0.5 THEN 'issuer' ELSE 'assignee' END
                    END AS returned_by,
                CASE WHEN status = 'in_progress' THEN floor(u5 * 100)::int
                     WHEN status IN ('submitted', 'done') THEN 100 ELSE 0 END AS progress
            FROM (
                SELECT d.*,
                    CASE WHEN due_at < $3::timestamptz - interval '14 days' THEN
                        CASE WHEN u4 < 0.86 THEN 'done' WHEN u4 < 0.93 THEN 'cancelled'
                             WHEN u4 < 0.96 THEN 'in_progress' WHEN u4 < 0.98 THEN 'submitted'
                             ELSE 'accepted' END
                    ELSE
                        CASE WHEN u4 < 0.15 THEN 'issued' WHEN u4 < 0.30 THEN 'accepted'
                             WHEN u4 < 0.58 THEN 'in_progress' WHEN u4 < 0.70 THEN 'submitted'
                             WHEN u4 < 0.88 THEN 'done' WHEN u4 < 0.94 THEN 'returned'
                             ELSE 'cancelled' END
                    END AS status
                FROM (
                    SELECT r.g, r.u5, r.u4, r.u13, p.a_id, p.a_path, p.b_id, p.b_path,
                        ($5::text[])[1 + floor(r.u6 * 8)::int] || '：'
                            || CASE WHEN r.u11 < 0.001 THEN $7
                                    ELSE ($6::text[])[1 + floor(r.u12 * 10)::int] END AS title,
                        CASE WHEN r.u7 < 0.15 THEN 'urgent' ELSE 'normal' END AS priority,
                        (ARRAY['meeting', 'dispatch', 'policy', 'issue', 'inspection', 'other'])
                            [1 + floor(r.u8 * 6)::int] AS source,
                        r.created_at,
                        r.created_at + interval '1 day' * (1 + floor(r.u2 * 45))
                            + interval '1 minute' * floor(r.u3 * 1440) AS due_at
                    FROM (
                        SELECT g, bench_u(g, 1) AS u1, bench_u(g, 2) AS u2, bench_u(g, 3) AS u3,
                            bench_u(g, 4) AS u4, bench_u(g, 5) AS u5, bench_u(g, 6) AS u6,
                            bench_u(g, 7) AS u7, bench_u(g, 8) AS u8, bench_u(g, 9) AS u9,
                            bench_u(g, 10) AS u10, bench_u(g, 21) AS u11, bench_u(g, 22) AS u12,
                            bench_u(g, 23) AS u13,
                            $3::timestamptz - interval '730 days' * bench_u(g, 1) AS created_at
                        FROM generate_series($1::bigint, $2::bigint) AS g
                    ) r
                    JOIN bench_categories c ON c.kind = 'task' AND r.u9 >= c.low AND r.u9 < c.high
                    JOIN bench_pairs p ON p.kind = 'task' AND p.cat = c.cat
                        AND p.i = least(floor(c.n * r.u10 * r.u10)::int, c.n - 1)
                ) d
            ) s
        ) t
        JOIN bench_days a ON a.day = (t.created_at AT TIME ZONE $8)::date
        JOIN bench_days b ON b.day = bench_blue_day(t.due_at, $8)
    ) m
) x
"""

INSERT_ISSUES = """
INSERT INTO issues (
    id, title, description, category, severity, status, reporter_org_id, reporter_path,
    handler_org_id, handler_path, resolved_by_org_id, resolved_tier, resolution, rating,
    due_at, created_at, updated_at, acknowledged_at, resolved_at, closed_at, red_from,
    blue_from, colour, version)
SELECT
    gen_random_uuid(), title, $4, category, severity, status, a_id, a_path, b_id, b_path,
    CASE WHEN resolved THEN b_id END, CASE WHEN resolved THEN b_tier END,
    CASE WHEN resolved THEN '已协调解决' END,
    CASE WHEN status = 'closed' AND u5 < 0.8 THEN 1 + floor(u6 * 5)::int END,
    due_at, created_at,
    greatest(created_at, acknowledged_at, resolved_at, closed_at),
    acknowledged_at, resolved_at, closed_at, red_from, blue_from,
    colour_at(red_from, false, NULL, blue_from, $3::timestamptz), 1
FROM (
    -- The colour trigger's moments (colour_issue_moments) while unresolved; none of the
    -- seeded issues was reopened, so none is flagged yellow.
    SELECT t.*,
        CASE WHEN status IN ('open', 'acknowledged') THEN due_at END AS red_from,
        CASE WHEN status IN ('open', 'acknowledged') THEN b.blue_from END AS blue_from
    FROM (
        SELECT s.*,
            CASE WHEN status <> 'open' THEN created_at + interval '2 hours' END AS acknowledged_at,
            CASE WHEN resolved
                THEN least($3::timestamptz, created_at + (due_at - created_at) * (0.2 + 1.5 * u5))
                END AS resolved_at,
            CASE WHEN status = 'closed'
                THEN least($3::timestamptz,
                           created_at + (due_at - created_at) * (0.2 + 1.5 * u5) + interval '1 day')
                END AS closed_at
        FROM (
            SELECT d.*, status IN ('resolved', 'closed') AS resolved
            FROM (
                SELECT r.*, p.a_id, p.a_path, p.b_id, p.b_path, p.b_tier,
                    CASE WHEN r.created_at < $3::timestamptz - interval '30 days' THEN
                        CASE WHEN r.u4 < 0.75 THEN 'closed' WHEN r.u4 < 0.90 THEN 'resolved'
                             WHEN r.u4 < 0.95 THEN 'open' ELSE 'acknowledged' END
                    ELSE
                        CASE WHEN r.u4 < 0.25 THEN 'open' WHEN r.u4 < 0.45 THEN 'acknowledged'
                             WHEN r.u4 < 0.70 THEN 'resolved' ELSE 'closed' END
                    END AS status,
                    r.created_at + CASE r.severity WHEN 'critical' THEN interval '1 day'
                        WHEN 'high' THEN interval '3 days' WHEN 'normal' THEN interval '7 days'
                        ELSE interval '15 days' END AS due_at
                FROM (
                    SELECT g, bench_u(g, 14) AS u4, bench_u(g, 15) AS u5, bench_u(g, 16) AS u6,
                        bench_u(g, 19) AS u9, bench_u(g, 20) AS u10,
                        $3::timestamptz - interval '730 days' * bench_u(g, 11) AS created_at,
                        CASE WHEN bench_u(g, 12) < 0.2 THEN 'low' WHEN bench_u(g, 12) < 0.7
                            THEN 'normal' WHEN bench_u(g, 12) < 0.92 THEN 'high'
                            ELSE 'critical' END AS severity,
                        (ARRAY['land', 'power', 'water', 'construction', 'labour', 'materials',
                               'policy', 'funding', 'other'])[1 + floor(bench_u(g, 13) * 9)::int]
                            AS category,
                        '堵点：' || ($6::text[])[1 + floor(bench_u(g, 13) * 9)::int] AS title
                    FROM generate_series($1::bigint, $2::bigint) AS g
                ) r
                JOIN bench_categories c ON c.kind = 'issue' AND r.u9 >= c.low AND r.u9 < c.high
                JOIN bench_pairs p ON p.kind = 'issue' AND p.cat = c.cat
                    AND p.i = least(floor(c.n * r.u10 * r.u10)::int, c.n - 1)
            ) d
        ) s
    ) t
    JOIN bench_days b ON b.day = bench_blue_day(t.due_at, $5)
) x
"""
ISSUE_DESCRIPTION = "项目现场反映的问题，需协调解决；请处理单位按时限办结并反馈。"


FEEDS = {"tasks": "task_feed", "issues": "issue_feed"}
# A load turns every trigger on tasks and issues off (DISABLE TRIGGER USER: the feeds', the
# rollups' and scorecards', the to-do tallies', the colour moments' and changes'): the
# feeds, the rollups and the tallies are built set-wise afterwards, the colour moments in
# the INSERT itself (from bench_days). So does the notices' (their items' due dates, set
# in the INSERT).
# The working days the colour and acceptance moments need, one row per local date the
# seeded rows are created or due on (tasks are created up to 730 days back and due up to
# 47 days later): what colour_blue_from() and the acceptance limit (limit_after) work out
# row by row, computed once per day.
BENCH_DAYS = """
INSERT INTO bench_days
SELECT d.day,
    (colour_working_day_after(d.day, $2) + time '18:00') AT TIME ZONE z.time_zone,
    colour_working_day_before(d.day, 2)::timestamp AT TIME ZONE z.time_zone
FROM stats_zone AS z, LATERAL (
    SELECT (($1::timestamptz AT TIME ZONE z.time_zone)::date + k) AS day
    FROM generate_series(-740, 60) AS k
) AS d
"""
PARTIES = {"tasks": ("issuer_path", "assignee_path"), "issues": ("reporter_path", "handler_path")}
# Notices of the last 90 days: a task's to the people of its assignee, an escalated
# issue's to those of its handler; those older than a week are read.
# Whom a unit's notices reach, as the app notifies.
RECIPIENTS = "(" + ", ".join(f"'{role}'" for role in NOTIFIED_ROLES) + ")"
NOTIFIED = (
    ("tasks", "assignee_org_id", ("task_assigned", "task"), "true"),
    (
        "issues",
        "handler_org_id",
        ("issue_escalated", "issue"),
        "x.handler_org_id <> x.reporter_org_id",
    ),
)
NOTICES = """
INSERT INTO notifications (id, user_id, kind, entity_type, entity_id, org_id, title, created_at,
    read_at)
SELECT gen_random_uuid(), g.user_id, $2, $3, x.id, x.{unit}, left(x.title, 300), x.created_at,
    CASE WHEN x.created_at < $1::timestamptz - interval '7 days'
        THEN x.created_at + interval '1 day' END
FROM {table} x JOIN grants g ON g.org_id = x.{unit} AND g.role IN {roles}
WHERE x.created_at >= $1::timestamptz - interval '90 days' AND {condition}
"""
# The chasing ladder's second step, as its sweep leaves it: a chasing notice the day after
# the due date to the people of the unit that must act on each late item still open;
# acknowledged (已阅) a day later when older than a week, like the notices read. The
# notices' own trigger (their item's due date) is off during a load, so it is set here.
CHASED = (
    ("tasks", "assignee_org_id", "task", "('issued', 'accepted', 'in_progress', 'returned')"),
    ("issues", "handler_org_id", "issue", "('open', 'acknowledged')"),
)
CHASE_NOTICES = """
INSERT INTO notifications (id, user_id, kind, entity_type, entity_id, org_id, title, created_at,
    read_at, acknowledged_at, item_due_at)
SELECT gen_random_uuid(), g.user_id, 'chase_notice', '{item_type}', x.id, x.{unit},
    left(x.title, 300), x.due_at + interval '1 day', old.at, old.at, x.due_at
FROM {table} x JOIN grants g ON g.org_id = x.{unit} AND g.role IN {roles}
CROSS JOIN LATERAL (SELECT CASE WHEN x.due_at < $1::timestamptz - interval '8 days'
    THEN x.due_at + interval '2 days' END AS at) old
WHERE x.status IN {statuses} AND x.due_at + interval '1 day' < $1::timestamptz
"""
# The rollups stats_rebuild() fills: the summary's and the scorecards'.
STATS_TABLES = (
    "stats_task_rollups",
    "stats_task_due",
    "stats_issue_rollups",
    "stats_issue_due",
    "stats_task_days",
    "stats_assignee_task_due",
    "stats_issue_days",
    "stats_handler_issue_due",
)
SETTINGS = "SET synchronous_commit = off; SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'"
# Building an index sorts every row of it (the GIN index on the search grams gathers its
# entries in memory): at 10M rows the largest spill past 1 GB. Two tables build at once,
# so 2 GB each keeps both well inside the machine's memory.
INDEX_SETTINGS = "SET maintenance_work_mem = '2GB'"
# stats_rebuild()'s aggregates (a scorecard row per unit and local day) hash in memory.
ROLLUP_SETTINGS = "SET work_mem = '1GB'"


# The seeded titles are a few hundred strings; working out each row's search grams (the
# generated column, search_grams() of sql/0008_search.sql) was a quarter of an insert.
# During a load, search_grams() first looks the title up among the seeded ones, their
# grams worked out once by the function itself, and is put back as it was afterwards.
GRAMS_MEMO = (
    "CREATE TABLE bench_grams (title text PRIMARY KEY, grams text[] NOT NULL)",
    "INSERT INTO bench_grams SELECT DISTINCT t, search_grams(t) FROM unnest($1::text[]) t",
    "ANALYZE bench_grams",
)
MEMO_FUNCTIONS = """
CREATE FUNCTION bench_search_grams_worked_out(body text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS {body};
CREATE OR REPLACE FUNCTION search_grams(body text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $memo$
    SELECT coalesce((SELECT grams FROM bench_grams WHERE title = body),
                    bench_search_grams_worked_out(body))
$memo$;
"""


def seeded_titles() -> list[str]:
    """Every title INSERT_TASKS and INSERT_ISSUES make."""
    subjects = [*SUBJECTS, RARE_SUBJECT]
    return [f"{task}：{subject}" for task in TASK_TITLES for subject in subjects] + [
        f"堵点：{subject}" for subject in ISSUE_SUBJECTS
    ]


@asynccontextmanager
async def grams_memo(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """search_grams() answers the seeded titles from a table while inside."""
    original = await conn.fetchval("SELECT pg_get_functiondef('search_grams(text)'::regprocedure)")
    body = await conn.fetchval(
        "SELECT quote_literal(prosrc) FROM pg_proc WHERE oid = 'search_grams(text)'::regprocedure"
    )
    made, filled, analyzed = GRAMS_MEMO
    await conn.execute(made)
    await conn.execute(filled, seeded_titles())
    await conn.execute(analyzed)
    await conn.execute(MEMO_FUNCTIONS.format(body=body))
    try:
        yield
    finally:
        await conn.execute(original)
        await conn.execute(
            "DROP FUNCTION bench_search_grams_worked_out(text); DROP TABLE bench_grams"
        )


async def _built_after_load(conn: asyncpg.Connection, table: str) -> list[tuple[str, str]]:
    """The table's indexes, keys and foreign keys (name, the statement that makes it
    again), which a load drops and builds afterwards: a primary key on random ids kept
    through the load is an index written at random, and past the server's buffers each
    row's insert then reads and writes a page of it."""
    indexes = await conn.fetch(
        "SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i "
        "WHERE i.tablename = $1 AND i.schemaname = 'public' AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        table,
    )
    constraints = await conn.fetch(
        "SELECT conname AS name, contype = 'p' AS is_key, pg_get_indexdef(conindid) AS index,"
        " format('ALTER TABLE %I ADD CONSTRAINT %I %s', $1::text, conname, CASE contype"
        " WHEN 'p' THEN format('PRIMARY KEY USING INDEX %I', conname)"
        " ELSE pg_get_constraintdef(oid) END) AS definition FROM pg_constraint"
        " WHERE conrelid = $1::regclass AND contype IN ('f', 'p')",
        table,
    )
    keys = [r for r in constraints if r["is_key"]]
    foreign = [r for r in constraints if not r["is_key"]]
    # Rebuilt in this order: each key's unique index, built as an index (which locks out
    # writes only, not stats_rebuild()'s reads), the other indexes; then, once
    # stats_rebuild() lets go of the tables, the key made of its index, and the foreign
    # keys.
    return [
        *((r["name"], r["index"]) for r in keys),
        *((r["name"], r["definition"]) for r in [*indexes, *keys, *foreign]),
    ]


def _is_constraint(definition: str) -> bool:
    return definition.startswith("ALTER TABLE")


async def _drop(conn: asyncpg.Connection, table: str, made: list[tuple[str, str]]) -> None:
    """In the reverse of the order they are made in: the foreign keys before the keys
    (whose indexes go with them)."""
    for name, definition in reversed(made):
        if _is_constraint(definition):
            await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        else:
            await conn.execute(f'DROP INDEX IF EXISTS "{name}"')


async def _table(
    url: str,
    table: str,
    rows: int,
    now: datetime,
    made: dict[str, list[tuple[str, str]]],
    step: Any,
    inserted: asyncio.Event,
) -> None:
    """One table on a connection of its own (the two tables load side by side): its
    indexes, keys and foreign keys and its feed's dropped, its rows inserted
    (`inserted` set then), its feed set-wise, then its indexes and the feed's, and the
    foreign keys. Each table goes on as soon as its own rows are in: the issues' take
    less time than the tasks', and a core waiting on the other table is a core idle."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SETTINGS)
        zone = await conn.fetchval("SELECT time_zone FROM stats_zone")
        feed = FEEDS[table]
        # The feed's first: its foreign key needs the table's primary key.
        for name in (feed, table):
            await _drop(conn, name, await _built_after_load(conn, name))
        # Emptied in the transaction that fills it, so that with wal_level minimal (see
        # database.py) its rows are written once, not also to the WAL.
        async with step(f"insert {table}"), conn.transaction():
            await conn.execute(f"TRUNCATE {table}")
            for low in range(1, rows + 1, 500_000):
                high = min(rows, low + 499_999)
                if table == "tasks":
                    await conn.execute(
                        INSERT_TASKS,
                        low,
                        high,
                        now,
                        DESCRIPTION,
                        TASK_TITLES,
                        SUBJECTS,
                        RARE_SUBJECT,
                        zone,
                    )
                else:
                    await conn.execute(
                        INSERT_ISSUES, low, high, now, ISSUE_DESCRIPTION, zone, ISSUE_SUBJECTS
                    )
        inserted.set()
        first, second = PARTIES[table]
        async with step(f"{feed}, set-wise"), conn.transaction():
            await conn.execute(f"TRUNCATE {feed}")
            # Each unit on either party's path once: the first path's units, then the
            # second's that are not on the first (a path holds a unit once). No
            # DISTINCT, so no sort of every feed row.
            await conn.execute(
                f"INSERT INTO {feed} (unit_key, created_at, id, due_at, status)"
                f" SELECT u.k, x.created_at, x.id, x.due_at, x.status FROM {table} x,"
                f" unnest(x.{first} || x.{second}) WITH ORDINALITY AS u(k, n)"
                f" WHERE u.n <= cardinality(x.{first}) OR u.k <> ALL (x.{first})"
            )
        async with step(f"indexes of {table} and {feed}"):
            await conn.execute(INDEX_SETTINGS)
            # Every index of both first: the constraints wait for stats_rebuild().
            for constraints in (False, True):
                for name in (table, feed):
                    for _, definition in made[name]:
                        if _is_constraint(definition) == constraints:
                            await conn.execute(definition)
    finally:
        await conn.close()


@asynccontextmanager
async def _once_inserted(url: str, inserted: list[asyncio.Event]) -> AsyncIterator[Any]:
    """A connection of its own, once both tables' rows are in."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SETTINGS)
        for event in inserted:
            await event.wait()
        yield conn
    finally:
        await conn.close()


async def _rollups(url: str, step: Any, inserted: list[asyncio.Event]) -> None:
    """stats_rebuild(), the longest step after the rows (it needs no index)."""
    async with _once_inserted(url, inserted) as conn, step("stats_rebuild()"):
        await conn.execute(ROLLUP_SETTINGS)
        await conn.execute("SELECT stats_rebuild()")


async def _notices_and_tallies(
    url: str, now: datetime, step: Any, inserted: list[asyncio.Event]
) -> None:
    """The notices, then todo_rebuild(), beside stats_rebuild() (the locks they take go
    together): a core would be idle otherwise, once the indexes are built."""
    async with _once_inserted(url, inserted) as conn:
        async with step("notifications"):
            for table, unit, kind, condition in NOTIFIED:
                await conn.execute(
                    NOTICES.format(table=table, unit=unit, condition=condition, roles=RECIPIENTS),
                    now,
                    *kind,
                )
            for table, unit, item_type, statuses in CHASED:
                await conn.execute(
                    CHASE_NOTICES.format(
                        table=table,
                        unit=unit,
                        item_type=item_type,
                        statuses=statuses,
                        roles=RECIPIENTS,
                    ),
                    now,
                )
        async with step("todo_rebuild()"):
            await conn.execute("SELECT todo_rebuild()")


async def load(
    url: str,
    conn: asyncpg.Connection,
    seeded: Seeded,
    rows: int,
    now: datetime,
    log: Any,
) -> None:
    """Load `rows` tasks and `rows` issues into an empty database: with the triggers off
    and the indexes, keys and foreign keys dropped, both tables side by side, each
    then its feed and indexes, and once both are in the rollups and notices, set-wise;
    then check the set-wise colour and acceptance moments against the app's own rules."""

    @asynccontextmanager
    async def step(label: str) -> Any:
        async with timed(seeded, label):
            log(f"{label} ...")
            yield

    await conn.execute(SETTINGS)
    made = {name: await _built_after_load(conn, name) for name in (*FEEDS, *FEEDS.values())}
    for table in (*FEEDS, "notifications"):
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    started = time.perf_counter()
    try:
        await conn.execute(
            "CREATE TABLE bench_days (day date PRIMARY KEY, accept_due timestamptz,"
            " blue_from timestamptz)"
        )
        await conn.execute(BENCH_DAYS, now, ACCEPT_WORKING_DAYS)
        await conn.execute("ANALYZE bench_days")
        inserted = {table: asyncio.Event() for table in FEEDS}
        async with grams_memo(conn):
            await asyncio.gather(
                *(_table(url, table, rows, now, made, step, inserted[table]) for table in FEEDS),
                _rollups(url, step, list(inserted.values())),
                _notices_and_tallies(url, now, step, list(inserted.values())),
            )
    finally:
        for table in (*FEEDS, "notifications"):
            await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    async with step("vacuum analyze"):
        for table in (*FEEDS, *FEEDS.values(), "notifications", "todo_tallies", *STATS_TABLES):
            await conn.execute(f"VACUUM (ANALYZE) {table}")
    await check(conn, rows)
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        await conn.execute("CHECKPOINT")  # write the load out now, not while measuring
    seeded.timings["load, wall clock"] = time.perf_counter() - started
    seeded.rows = rows
    # What a later --reuse run reports of this seeding: the size seeded (the table grows
    # by the tasks each run's writes create) and the time each step took.
    await conn.execute(
        "CREATE TABLE bench_seeded AS SELECT $1::bigint AS rows, $2::jsonb AS timings",
        rows,
        orjson.dumps(seeded.timings).decode(),
    )


# Each table's moments as the colour trigger works them out: re-run on a sample (an UPDATE
# that changes nothing else, rolled back) and compared with the seeded ones.
RECOMPUTED = """
WITH sample AS (
    SELECT id, red_from, yellow_from, blue_from FROM {table}
    WHERE status = ANY($1::text[]) ORDER BY id LIMIT 2000
), redone AS (
    UPDATE {table} x SET version = x.version FROM sample s WHERE x.id = s.id
    RETURNING x.id, x.red_from, x.yellow_from, x.blue_from
)
SELECT count(*) AS n, count(*) FILTER (
    WHERE (r.red_from, r.yellow_from, r.blue_from)
        IS DISTINCT FROM (s.red_from, s.yellow_from, s.blue_from)) AS wrong
FROM redone r JOIN sample s USING (id)
"""
COUNTING = {
    "tasks": ["issued", "accepted", "in_progress", "returned"],
    "issues": ["open", "acknowledged"],
}


async def check(conn: asyncpg.Connection, rows: int) -> None:
    """The seeded rows are all there, and their set-wise moments are the ones the colour
    trigger and the acceptance limit (limit_after) give: SystemExit otherwise."""
    for table in FEEDS:
        if (got := await conn.fetchval(f"SELECT count(*) FROM {table}")) != rows:
            raise SystemExit(f"seeded {got:,} {table}, not {rows:,}")
        transaction = conn.transaction()
        await transaction.start()
        try:
            found = await conn.fetchrow(RECOMPUTED.format(table=table), COUNTING[table])
        finally:
            await transaction.rollback()
        if not found["n"] or found["wrong"]:
            raise SystemExit(f"{table}: {found['wrong']} of {found['n']} moments differ")
    for table in FEEDS:
        # The grams seeded through the memo (grams_memo) are the function's own.
        wrong = await conn.fetchval(
            f"SELECT count(*) FROM (SELECT title, search_grams FROM {table} ORDER BY id"
            " LIMIT 2000) s WHERE search_grams IS DISTINCT FROM search_grams(title)"
        )
        if wrong:
            raise SystemExit(f"{table}: {wrong} of 2000 search grams differ")
    for row in await conn.fetch("SELECT created_at, accept_due_at FROM tasks ORDER BY id LIMIT 50"):
        if row["accept_due_at"] != await limit_after(conn, row["created_at"], ACCEPT_WORKING_DAYS):
            raise SystemExit(f"acceptance limit {row['accept_due_at']} of {row['created_at']}")


async def sizes(conn: asyncpg.Connection) -> dict[str, int]:
    """Rows of the tables a screen reads."""
    tables = (*FEEDS, *FEEDS.values(), "notifications", "item_events", "due_notices")
    return {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in tables}


async def load_existing(conn: asyncpg.Connection) -> Seeded | None:
    """An earlier run's database (for --reuse): its callers and size, or None."""
    if await conn.fetchval("SELECT to_regclass('bench_seeded')") is None:
        return None
    seeded = Seeded(tree=None, callers={})
    for caller in CALLERS:
        row = await conn.fetchrow(
            "SELECT o.id, o.key, o.name, o.kind, o.tier, o.code, o.path FROM users u "
            "JOIN grants g ON g.user_id = u.id JOIN org_units o ON o.id = g.org_id "
            "WHERE u.username = $1",
            "bench." + caller.replace(" ", "."),
        )
        if row is None:
            return None
        unit = Unit(row["key"], row["name"], row["kind"], row["tier"], row["code"], None, row["id"])
        seeded.callers[caller] = ("bench." + caller.replace(" ", "."), unit)
        seeded.paths[caller] = list(row["path"])
    recorded = await conn.fetchrow("SELECT rows, timings::text FROM bench_seeded")
    seeded.rows = int(recorded["rows"])
    seeded.timings = orjson.loads(recorded["timings"])
    return seeded


async def visible_counts(conn: asyncpg.Connection, seeded: Seeded) -> dict[str, tuple[int, int]]:
    """Tasks and issues each caller sees (a party unit inside the grant's subtree)."""
    found: dict[str, tuple[int, int]] = {}
    for caller in seeded.callers:
        path = seeded.path_of(caller)
        low, high = path, [*path[:-1], path[-1] + 1]
        tasks = await conn.fetchval(
            "SELECT count(*) FROM tasks WHERE (issuer_path >= $1 AND issuer_path < $2) "
            "OR (assignee_path >= $1 AND assignee_path < $2)",
            low,
            high,
        )
        issues = await conn.fetchval(
            "SELECT count(*) FROM issues WHERE (reporter_path >= $1 AND reporter_path < $2) "
            "OR (handler_path >= $1 AND handler_path < $2)",
            low,
            high,
        )
        found[caller] = (int(tasks), int(issues))
    return found


TIMELINE = (  # (action, from, to) of a task's events: the timeline of the item opened
    ("create", None, "issued"),
    ("accept", "issued", "accepted"),
    ("start", "accepted", "in_progress"),
    ("progress", "in_progress", "in_progress"),
    ("request-extension", "in_progress", "in_progress"),
    ("approve-extension", "in_progress", "in_progress"),
    ("progress", "in_progress", "in_progress"),
    ("feedback", None, None),
)


async def details(
    conn: asyncpg.Connection, seeded: Seeded
) -> dict[str, tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """Per caller: the grant's unit, and the newest task and issue it sees (the ones the
    benchmark opens), each given a timeline of eight events if it has none."""
    found = {}
    for caller, (_, unit) in seeded.callers.items():
        key = seeded.path_of(caller)[-1]
        items = []
        for feed, kind in (("task_feed", "task"), ("issue_feed", "issue")):
            item_id = await conn.fetchval(
                f"SELECT id FROM {feed} WHERE unit_key = $1 ORDER BY created_at DESC LIMIT 1", key
            )
            if not await conn.fetchval(
                "SELECT count(*) FROM item_events WHERE entity_id = $1", item_id
            ):
                await conn.executemany(
                    "INSERT INTO item_events (entity_type, entity_id, action, from_status,"
                    " to_status, org_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7,"
                    " now() - interval '1 hour' * $8)",
                    [
                        (kind, item_id, action, before, after, unit.id, "进展顺利", 8 - n)
                        for n, (action, before, after) in enumerate(TIMELINE)
                    ],
                )
            items.append(item_id)
        found[caller] = (unit.id, items[0], items[1])
    return found
