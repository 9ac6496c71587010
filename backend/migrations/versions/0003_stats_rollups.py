"""stats rollups: counters per unit kept by triggers on tasks and issues

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 16:29:39.927966

See app/stats/models.py for what the tables hold. Statement-level triggers with transition
tables keep them: every INSERT, UPDATE or DELETE on tasks or issues subtracts the old rows'
contributions and adds the new rows', grouped, so one statement touches each counter row
once, in key order (concurrent writers lock rows in the same order). Bulk statements are
handled set-wise; a bulk loader may also disable the triggers and call stats_rebuild().
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOTS = 4
TASK_OPEN = "NOT IN ('done','cancelled')"
ISSUE_OPEN = "IN ('open','acknowledged')"

# (table, group keys, summed columns, function producing one item's contributions)
TASK_ROLLUP = (
    "stats_task_rollups",
    ["org_key", "status", "priority"],
    ["n", "on_time", "timed", "seconds"],
    "stats_task_rows",
)
TASK_DUE = ("stats_task_due", ["org_key", "hours", "start_hour"], ["n"], "stats_task_due_rows")
ISSUE_ROLLUP = (
    "stats_issue_rollups",
    ["org_key", "dimension", "value"],
    ["n", "timed", "seconds", "rated", "rating_sum"],
    "stats_issue_rows",
)
ISSUE_DUE = ("stats_issue_due", ["org_key", "hours", "start_hour"], ["n"], "stats_issue_due_rows")
TRACKED = {
    "tasks": (
        (TASK_ROLLUP, TASK_DUE),
        "issuer_path, assignee_path, status, priority, due_at, created_at, completed_at",
    ),
    "issues": (
        (ISSUE_ROLLUP, ISSUE_DUE),
        "reporter_path, handler_path, status, severity, category, resolved_tier, "
        "created_at, resolved_at, rating, due_at",
    ),
}
FUNCTIONS = [
    "stats_party_keys(integer[], integer[])",
    "stats_due_rows(integer[], integer[], timestamptz, integer)",
    "stats_task_rows(tasks, integer)",
    "stats_task_due_rows(tasks, integer)",
    "stats_issue_rows(issues, integer)",
    "stats_issue_due_rows(issues, integer)",
    "stats_track_tasks()",
    "stats_track_issues()",
    "stats_clear_tasks()",
    "stats_clear_issues()",
    "stats_rebuild()",
    "stats_compact()",
]


def _upsert(spec: tuple[str, list[str], list[str], str], source: str, slot: str, ordered: bool) -> str:
    """Add the grouped contributions of `source` (rows of the spec's function) to the table."""
    table, keys, sums, _ = spec
    group = ", ".join(f"d.{k}" for k in keys)
    order = f"ORDER BY {group}" if ordered else ""
    return f"""
        INSERT INTO {table} AS r ({", ".join(keys)}, slot, {", ".join(sums)})
        SELECT {group}, {slot}, {", ".join(f"sum(d.{c})" for c in sums)}
        FROM ({source}) AS d
        GROUP BY {group}
        HAVING {" OR ".join(f"sum(d.{c}) <> 0" for c in sums)}
        {order}
        ON CONFLICT ({", ".join(keys)}, slot) DO UPDATE
        SET {", ".join(f"{c} = r.{c} + excluded.{c}" for c in sums)}"""


def _source(spec: tuple[str, list[str], list[str], str], *parts: tuple[str, int]) -> str:
    function = spec[3]
    return " UNION ALL ".join(
        f"SELECT c.* FROM {rows} AS x CROSS JOIN LATERAL {function}(x, {sign}) AS c"
        for rows, sign in parts
    )


def _track_function(table: str) -> str:
    specs, watched = TRACKED[table]
    slot = f"(pg_backend_pid() % {SLOTS})::smallint"

    def apply(*parts: tuple[str, int]) -> str:
        return ";".join(_upsert(spec, _source(spec, *parts), slot, True) for spec in specs)

    return f"""
    CREATE FUNCTION stats_track_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {apply(("new_rows", 1))};
        ELSIF TG_OP = 'UPDATE' THEN
            -- Most updates (a version bump, a note) leave every counted column alone.
            IF NOT EXISTS (
                SELECT {watched} FROM old_rows EXCEPT ALL SELECT {watched} FROM new_rows
            ) THEN
                RETURN NULL;
            END IF;
            {apply(("old_rows", -1), ("new_rows", 1))};
        ELSE
            {apply(("old_rows", -1))};
        END IF;
        RETURN NULL;
    END $$"""


def _rebuild_function() -> str:
    steps = []
    for table, (specs, _) in TRACKED.items():
        for spec in specs:
            steps.append(f"DELETE FROM {spec[0]}")
            steps.append(_upsert(spec, _source(spec, (table, 1)), "0::smallint", False))
    return f"""
    CREATE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        -- Writers wait while the counters are recomputed from one consistent snapshot.
        LOCK TABLE tasks, issues IN SHARE MODE;
        {";".join(steps)};
    END $$"""


def _compact_function() -> str:
    steps = []
    for specs, _ in TRACKED.values():
        for table, keys, sums, _ in specs:
            steps.append(
                f"""
        CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
            SELECT {", ".join(keys)}, {", ".join(f"sum({c}) AS {c}" for c in sums)}
            FROM {table} GROUP BY {", ".join(keys)}
            HAVING {" OR ".join(f"sum({c}) <> 0" for c in sums)};
        DELETE FROM {table};
        INSERT INTO {table} ({", ".join(keys)}, slot, {", ".join(sums)})
            SELECT {", ".join(keys)}, 0, {", ".join(sums)} FROM stats_folded;
        DROP TABLE stats_folded"""
            )
    tables = ", ".join(spec[0] for specs, _ in TRACKED.values() for spec in specs)
    return f"""
    CREATE FUNCTION stats_compact() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        -- Fold the slots into slot 0 and drop counters that reached zero.
        LOCK TABLE {tables} IN EXCLUSIVE MODE;
        {";".join(steps)};
    END $$"""


def upgrade() -> None:
    op.create_table('stats_issue_due',
    sa.Column('org_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hours', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('start_hour', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slot', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('org_key', 'hours', 'start_hour', 'slot', name=op.f('pk_stats_issue_due'))
    )
    op.create_table('stats_issue_rollups',
    sa.Column('org_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=False),
    sa.Column('slot', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('timed', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('seconds', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('rated', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('rating_sum', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('org_key', 'dimension', 'value', 'slot', name=op.f('pk_stats_issue_rollups'))
    )
    op.create_table('stats_task_due',
    sa.Column('org_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hours', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('start_hour', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slot', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('org_key', 'hours', 'start_hour', 'slot', name=op.f('pk_stats_task_due'))
    )
    op.create_table('stats_task_rollups',
    sa.Column('org_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('slot', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('on_time', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('timed', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('seconds', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('org_key', 'status', 'priority', 'slot', name=op.f('pk_stats_task_rollups'))
    )

    # One item's contributions: a row per distinct key of the union of its party paths.
    op.execute("""
    CREATE FUNCTION stats_party_keys(a integer[], b integer[]) RETURNS SETOF integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT DISTINCT k FROM unnest(a || b) AS k $$""")
    op.execute("""
    CREATE FUNCTION stats_due_rows(a integer[], b integer[], due_at timestamptz, sign integer)
    RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT k, w.hours, (floor(h.hour / w.hours) * w.hours)::integer, sign
        FROM (SELECT floor(extract(epoch FROM due_at) / 3600) AS hour) AS h
        CROSS JOIN (VALUES (720::smallint), (24::smallint), (1::smallint)) AS w(hours)
        CROSS JOIN stats_party_keys(a, b) AS k
    $$""")
    op.execute("""
    CREATE FUNCTION stats_task_rows(t tasks, sign integer)
    RETURNS TABLE (
        org_key integer, status varchar, priority varchar,
        n integer, on_time integer, timed integer, seconds bigint
    )
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT k, t.status, t.priority, sign,
            CASE WHEN t.status = 'done' AND t.completed_at <= t.due_at THEN sign ELSE 0 END,
            CASE WHEN t.status = 'done' AND t.completed_at IS NOT NULL THEN sign ELSE 0 END,
            CASE WHEN t.status = 'done' AND t.completed_at IS NOT NULL
                THEN sign * floor(extract(epoch FROM t.completed_at - t.created_at))::bigint
                ELSE 0 END
        FROM stats_party_keys(t.issuer_path, t.assignee_path) AS k
    $$""")
    op.execute(f"""
    CREATE FUNCTION stats_task_due_rows(t tasks, sign integer)
    RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT * FROM stats_due_rows(t.issuer_path, t.assignee_path, t.due_at, sign)
        WHERE t.status {TASK_OPEN}
    $$""")
    op.execute(f"""
    CREATE FUNCTION stats_issue_rows(i issues, sign integer)
    RETURNS TABLE (
        org_key integer, dimension varchar, value varchar,
        n integer, timed integer, seconds bigint, rated integer, rating_sum integer
    )
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT k, d.dimension, d.value, sign, sign * d.timed, sign * d.seconds,
            sign * d.rated, sign * d.rating
        FROM (VALUES
            ('status', i.status, 0, 0::bigint,
                CASE WHEN i.rating IS NOT NULL THEN 1 ELSE 0 END, coalesce(i.rating, 0)),
            ('severity', CASE WHEN i.status {ISSUE_OPEN} THEN i.severity END, 0, 0, 0, 0),
            ('category', CASE WHEN i.status {ISSUE_OPEN} THEN i.category END, 0, 0, 0, 0),
            ('tier', CASE WHEN i.status IN ('resolved', 'closed') THEN i.resolved_tier END,
                CASE WHEN i.resolved_at IS NOT NULL THEN 1 ELSE 0 END,
                coalesce(floor(extract(epoch FROM i.resolved_at - i.created_at))::bigint, 0),
                0, 0)
        ) AS d(dimension, value, timed, seconds, rated, rating)
        CROSS JOIN stats_party_keys(i.reporter_path, i.handler_path) AS k
        WHERE d.value IS NOT NULL
    $$""")
    op.execute(f"""
    CREATE FUNCTION stats_issue_due_rows(i issues, sign integer)
    RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT * FROM stats_due_rows(i.reporter_path, i.handler_path, i.due_at, sign)
        WHERE i.status {ISSUE_OPEN}
    $$""")

    for table, (specs, _) in TRACKED.items():
        op.execute(_track_function(table))
        op.execute(f"""
        CREATE FUNCTION stats_clear_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {";".join(f"DELETE FROM {spec[0]}" for spec in specs)};
            RETURN NULL;
        END $$""")
        op.execute(
            f"CREATE TRIGGER stats_{table}_inserted AFTER INSERT ON {table} "
            f"REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stats_track_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER stats_{table}_updated AFTER UPDATE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stats_track_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER stats_{table}_deleted AFTER DELETE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stats_track_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER stats_{table}_truncated AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stats_clear_{table}()"
        )
    op.execute(_rebuild_function())
    op.execute(_compact_function())
    # Items that existed before this migration.
    op.execute("SELECT stats_rebuild()")


def downgrade() -> None:
    for table in TRACKED:
        for event in ("inserted", "updated", "deleted", "truncated"):
            op.execute(f"DROP TRIGGER stats_{table}_{event} ON {table}")
    for function in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table('stats_task_rollups')
    op.drop_table('stats_task_due')
    op.drop_table('stats_issue_rollups')
    op.drop_table('stats_issue_due')
