-- 0006_stats.sql: the dashboard counters (stats_* tables), kept by triggers on tasks and
-- issues. See app/stats/models.py for what the tables hold.
--
-- Statement-level triggers with transition tables keep them: every INSERT, UPDATE or
-- DELETE on tasks or issues subtracts the old rows' contributions and adds the new rows',
-- grouped, so one statement touches each counter row once, in key order (concurrent
-- writers lock rows in the same order). A writer adds to slot pg_backend_pid() % 4 of a
-- counter; readers sum over slots. TRUNCATE clears the counters.
--
--   stats_party_keys(), stats_due_rows()          helpers shared by tasks and issues
--   stats_task_rows(), stats_task_due_rows()      one task's contributions
--   stats_track_tasks(), stats_clear_tasks()      the functions of the triggers on tasks
--   stats_tasks_{inserted,updated,deleted,truncated}
--   stats_issue_rows(), stats_issue_due_rows()    one issue's contributions
--   stats_track_issues(), stats_clear_issues()    the functions of the triggers on issues
--   stats_issues_{inserted,updated,deleted,truncated}
--   stats_rebuild()    recompute every counter from tasks and issues (after a bulk load
--                      with the triggers disabled; bench/seed.py does that)
--   stats_compact()    fold the slots into slot 0 and drop counters that reached zero
--
-- Loaded by migration 0006 (first created by 0003; the same definitions, moved here).
-- Never edit this file: migration 0006 states its SHA-256 and the test suite checks it.
-- To change a definition, copy what you change into a new file named after a new
-- migration (sql/00NN_stats.sql) and load it from that migration; see README.md.


-- Shared --------------------------------------------------------------------------------

-- An item counts once for every distinct key of the union of its two party paths.
CREATE OR REPLACE FUNCTION stats_party_keys(a integer[], b integer[]) RETURNS SETOF integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT DISTINCT k FROM unnest(a || b) AS k $$;

-- An open item's due-date buckets: 30 days, a day and an hour (hours since the epoch).
CREATE OR REPLACE FUNCTION stats_due_rows(
    a integer[], b integer[], due_at timestamptz, sign integer
)
RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT k, w.hours, (floor(h.hour / w.hours) * w.hours)::integer, sign
    FROM (SELECT floor(extract(epoch FROM due_at) / 3600) AS hour) AS h
    CROSS JOIN (VALUES (720::smallint), (24::smallint), (1::smallint)) AS w(hours)
    CROSS JOIN stats_party_keys(a, b) AS k
$$;


-- Tasks ---------------------------------------------------------------------------------

-- One task's contributions to stats_task_rollups, each counter multiplied by sign (1 to
-- add the task, -1 to take it away).
CREATE OR REPLACE FUNCTION stats_task_rows(t tasks, sign integer)
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
$$;

-- An open task's contributions to stats_task_due.
CREATE OR REPLACE FUNCTION stats_task_due_rows(t tasks, sign integer)
RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT * FROM stats_due_rows(t.issuer_path, t.assignee_path, t.due_at, sign)
    WHERE t.status NOT IN ('done','cancelled')
$$;

-- After INSERT, UPDATE or DELETE on tasks: take away the old rows (old_rows, sign -1), add
-- the new ones (new_rows, sign 1), one grouped upsert per counter table.
CREATE OR REPLACE FUNCTION stats_track_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stats_task_rollups AS r
            (org_key, status, priority, slot, n, on_time, timed, seconds)
        SELECT d.org_key, d.status, d.priority, (pg_backend_pid() % 4)::smallint,
            sum(d.n), sum(d.on_time), sum(d.timed), sum(d.seconds)
        FROM (
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_task_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.status, d.priority
        HAVING sum(d.n) <> 0 OR sum(d.on_time) <> 0 OR sum(d.timed) <> 0
            OR sum(d.seconds) <> 0
        ORDER BY d.org_key, d.status, d.priority
        ON CONFLICT (org_key, status, priority, slot) DO UPDATE
        SET n = r.n + excluded.n, on_time = r.on_time + excluded.on_time,
            timed = r.timed + excluded.timed, seconds = r.seconds + excluded.seconds;

        INSERT INTO stats_task_due AS r (org_key, hours, start_hour, slot, n)
        SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_task_due_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.hours, d.start_hour
        HAVING sum(d.n) <> 0
        ORDER BY d.org_key, d.hours, d.start_hour
        ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
        SET n = r.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Most updates (a version bump, a note) leave every counted column alone.
        IF NOT EXISTS (
            SELECT issuer_path, assignee_path, status, priority, due_at, created_at,
                completed_at
            FROM old_rows
            EXCEPT ALL
            SELECT issuer_path, assignee_path, status, priority, due_at, created_at,
                completed_at
            FROM new_rows
        ) THEN
            RETURN NULL;
        END IF;

        INSERT INTO stats_task_rollups AS r
            (org_key, status, priority, slot, n, on_time, timed, seconds)
        SELECT d.org_key, d.status, d.priority, (pg_backend_pid() % 4)::smallint,
            sum(d.n), sum(d.on_time), sum(d.timed), sum(d.seconds)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_task_rows(x, -1) AS c
            UNION ALL
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_task_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.status, d.priority
        HAVING sum(d.n) <> 0 OR sum(d.on_time) <> 0 OR sum(d.timed) <> 0
            OR sum(d.seconds) <> 0
        ORDER BY d.org_key, d.status, d.priority
        ON CONFLICT (org_key, status, priority, slot) DO UPDATE
        SET n = r.n + excluded.n, on_time = r.on_time + excluded.on_time,
            timed = r.timed + excluded.timed, seconds = r.seconds + excluded.seconds;

        INSERT INTO stats_task_due AS r (org_key, hours, start_hour, slot, n)
        SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_task_due_rows(x, -1) AS c
            UNION ALL
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_task_due_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.hours, d.start_hour
        HAVING sum(d.n) <> 0
        ORDER BY d.org_key, d.hours, d.start_hour
        ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
        SET n = r.n + excluded.n;
    ELSE
        INSERT INTO stats_task_rollups AS r
            (org_key, status, priority, slot, n, on_time, timed, seconds)
        SELECT d.org_key, d.status, d.priority, (pg_backend_pid() % 4)::smallint,
            sum(d.n), sum(d.on_time), sum(d.timed), sum(d.seconds)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_task_rows(x, -1) AS c
        ) AS d
        GROUP BY d.org_key, d.status, d.priority
        HAVING sum(d.n) <> 0 OR sum(d.on_time) <> 0 OR sum(d.timed) <> 0
            OR sum(d.seconds) <> 0
        ORDER BY d.org_key, d.status, d.priority
        ON CONFLICT (org_key, status, priority, slot) DO UPDATE
        SET n = r.n + excluded.n, on_time = r.on_time + excluded.on_time,
            timed = r.timed + excluded.timed, seconds = r.seconds + excluded.seconds;

        INSERT INTO stats_task_due AS r (org_key, hours, start_hour, slot, n)
        SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_task_due_rows(x, -1) AS c
        ) AS d
        GROUP BY d.org_key, d.hours, d.start_hour
        HAVING sum(d.n) <> 0
        ORDER BY d.org_key, d.hours, d.start_hour
        ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
        SET n = r.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;

-- After TRUNCATE of tasks: no task is left to count.
CREATE OR REPLACE FUNCTION stats_clear_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM stats_task_rollups;
    DELETE FROM stats_task_due;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER stats_tasks_inserted
    AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_track_tasks();

CREATE OR REPLACE TRIGGER stats_tasks_updated
    AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_track_tasks();

CREATE OR REPLACE TRIGGER stats_tasks_deleted
    AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_track_tasks();

CREATE OR REPLACE TRIGGER stats_tasks_truncated
    AFTER TRUNCATE ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION stats_clear_tasks();


-- Issues --------------------------------------------------------------------------------

-- One issue's contributions to stats_issue_rollups: a row per dimension that has a value
-- (status always; severity and category while open; tier once resolved or closed).
CREATE OR REPLACE FUNCTION stats_issue_rows(i issues, sign integer)
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
        ('severity', CASE WHEN i.status IN ('open','acknowledged') THEN i.severity END,
            0, 0, 0, 0),
        ('category', CASE WHEN i.status IN ('open','acknowledged') THEN i.category END,
            0, 0, 0, 0),
        ('tier', CASE WHEN i.status IN ('resolved', 'closed') THEN i.resolved_tier END,
            CASE WHEN i.resolved_at IS NOT NULL THEN 1 ELSE 0 END,
            coalesce(floor(extract(epoch FROM i.resolved_at - i.created_at))::bigint, 0),
            0, 0)
    ) AS d(dimension, value, timed, seconds, rated, rating)
    CROSS JOIN stats_party_keys(i.reporter_path, i.handler_path) AS k
    WHERE d.value IS NOT NULL
$$;

-- An open issue's contributions to stats_issue_due.
CREATE OR REPLACE FUNCTION stats_issue_due_rows(i issues, sign integer)
RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT * FROM stats_due_rows(i.reporter_path, i.handler_path, i.due_at, sign)
    WHERE i.status IN ('open','acknowledged')
$$;

-- After INSERT, UPDATE or DELETE on issues: as stats_track_tasks(), for issues.
CREATE OR REPLACE FUNCTION stats_track_issues() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stats_issue_rollups AS r
            (org_key, dimension, value, slot, n, timed, seconds, rated, rating_sum)
        SELECT d.org_key, d.dimension, d.value, (pg_backend_pid() % 4)::smallint,
            sum(d.n), sum(d.timed), sum(d.seconds), sum(d.rated), sum(d.rating_sum)
        FROM (
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_issue_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.dimension, d.value
        HAVING sum(d.n) <> 0 OR sum(d.timed) <> 0 OR sum(d.seconds) <> 0
            OR sum(d.rated) <> 0 OR sum(d.rating_sum) <> 0
        ORDER BY d.org_key, d.dimension, d.value
        ON CONFLICT (org_key, dimension, value, slot) DO UPDATE
        SET n = r.n + excluded.n, timed = r.timed + excluded.timed,
            seconds = r.seconds + excluded.seconds, rated = r.rated + excluded.rated,
            rating_sum = r.rating_sum + excluded.rating_sum;

        INSERT INTO stats_issue_due AS r (org_key, hours, start_hour, slot, n)
        SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_issue_due_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.hours, d.start_hour
        HAVING sum(d.n) <> 0
        ORDER BY d.org_key, d.hours, d.start_hour
        ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
        SET n = r.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Most updates (a version bump, a note) leave every counted column alone.
        IF NOT EXISTS (
            SELECT reporter_path, handler_path, status, severity, category, resolved_tier,
                created_at, resolved_at, rating, due_at
            FROM old_rows
            EXCEPT ALL
            SELECT reporter_path, handler_path, status, severity, category, resolved_tier,
                created_at, resolved_at, rating, due_at
            FROM new_rows
        ) THEN
            RETURN NULL;
        END IF;

        INSERT INTO stats_issue_rollups AS r
            (org_key, dimension, value, slot, n, timed, seconds, rated, rating_sum)
        SELECT d.org_key, d.dimension, d.value, (pg_backend_pid() % 4)::smallint,
            sum(d.n), sum(d.timed), sum(d.seconds), sum(d.rated), sum(d.rating_sum)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_issue_rows(x, -1) AS c
            UNION ALL
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_issue_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.dimension, d.value
        HAVING sum(d.n) <> 0 OR sum(d.timed) <> 0 OR sum(d.seconds) <> 0
            OR sum(d.rated) <> 0 OR sum(d.rating_sum) <> 0
        ORDER BY d.org_key, d.dimension, d.value
        ON CONFLICT (org_key, dimension, value, slot) DO UPDATE
        SET n = r.n + excluded.n, timed = r.timed + excluded.timed,
            seconds = r.seconds + excluded.seconds, rated = r.rated + excluded.rated,
            rating_sum = r.rating_sum + excluded.rating_sum;

        INSERT INTO stats_issue_due AS r (org_key, hours, start_hour, slot, n)
        SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_issue_due_rows(x, -1) AS c
            UNION ALL
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL stats_issue_due_rows(x, 1) AS c
        ) AS d
        GROUP BY d.org_key, d.hours, d.start_hour
        HAVING sum(d.n) <> 0
        ORDER BY d.org_key, d.hours, d.start_hour
        ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
        SET n = r.n + excluded.n;
    ELSE
        INSERT INTO stats_issue_rollups AS r
            (org_key, dimension, value, slot, n, timed, seconds, rated, rating_sum)
        SELECT d.org_key, d.dimension, d.value, (pg_backend_pid() % 4)::smallint,
            sum(d.n), sum(d.timed), sum(d.seconds), sum(d.rated), sum(d.rating_sum)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_issue_rows(x, -1) AS c
        ) AS d
        GROUP BY d.org_key, d.dimension, d.value
        HAVING sum(d.n) <> 0 OR sum(d.timed) <> 0 OR sum(d.seconds) <> 0
            OR sum(d.rated) <> 0 OR sum(d.rating_sum) <> 0
        ORDER BY d.org_key, d.dimension, d.value
        ON CONFLICT (org_key, dimension, value, slot) DO UPDATE
        SET n = r.n + excluded.n, timed = r.timed + excluded.timed,
            seconds = r.seconds + excluded.seconds, rated = r.rated + excluded.rated,
            rating_sum = r.rating_sum + excluded.rating_sum;

        INSERT INTO stats_issue_due AS r (org_key, hours, start_hour, slot, n)
        SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL stats_issue_due_rows(x, -1) AS c
        ) AS d
        GROUP BY d.org_key, d.hours, d.start_hour
        HAVING sum(d.n) <> 0
        ORDER BY d.org_key, d.hours, d.start_hour
        ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
        SET n = r.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;

-- After TRUNCATE of issues: no issue is left to count.
CREATE OR REPLACE FUNCTION stats_clear_issues() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM stats_issue_rollups;
    DELETE FROM stats_issue_due;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER stats_issues_inserted
    AFTER INSERT ON issues
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_track_issues();

CREATE OR REPLACE TRIGGER stats_issues_updated
    AFTER UPDATE ON issues
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_track_issues();

CREATE OR REPLACE TRIGGER stats_issues_deleted
    AFTER DELETE ON issues
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_track_issues();

CREATE OR REPLACE TRIGGER stats_issues_truncated
    AFTER TRUNCATE ON issues
    FOR EACH STATEMENT EXECUTE FUNCTION stats_clear_issues();


-- Maintenance ---------------------------------------------------------------------------

-- Recompute every counter from tasks and issues, into slot 0.
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Writers wait while the counters are recomputed from one consistent snapshot.
    LOCK TABLE tasks, issues IN SHARE MODE;

    DELETE FROM stats_task_rollups;
    INSERT INTO stats_task_rollups AS r
        (org_key, status, priority, slot, n, on_time, timed, seconds)
    SELECT d.org_key, d.status, d.priority, 0::smallint,
        sum(d.n), sum(d.on_time), sum(d.timed), sum(d.seconds)
    FROM (SELECT c.* FROM tasks AS x CROSS JOIN LATERAL stats_task_rows(x, 1) AS c) AS d
    GROUP BY d.org_key, d.status, d.priority
    HAVING sum(d.n) <> 0 OR sum(d.on_time) <> 0 OR sum(d.timed) <> 0
        OR sum(d.seconds) <> 0
    ON CONFLICT (org_key, status, priority, slot) DO UPDATE
    SET n = r.n + excluded.n, on_time = r.on_time + excluded.on_time,
        timed = r.timed + excluded.timed, seconds = r.seconds + excluded.seconds;

    DELETE FROM stats_task_due;
    INSERT INTO stats_task_due AS r (org_key, hours, start_hour, slot, n)
    SELECT d.org_key, d.hours, d.start_hour, 0::smallint, sum(d.n)
    FROM (SELECT c.* FROM tasks AS x CROSS JOIN LATERAL stats_task_due_rows(x, 1) AS c) AS d
    GROUP BY d.org_key, d.hours, d.start_hour
    HAVING sum(d.n) <> 0
    ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
    SET n = r.n + excluded.n;

    DELETE FROM stats_issue_rollups;
    INSERT INTO stats_issue_rollups AS r
        (org_key, dimension, value, slot, n, timed, seconds, rated, rating_sum)
    SELECT d.org_key, d.dimension, d.value, 0::smallint,
        sum(d.n), sum(d.timed), sum(d.seconds), sum(d.rated), sum(d.rating_sum)
    FROM (SELECT c.* FROM issues AS x CROSS JOIN LATERAL stats_issue_rows(x, 1) AS c) AS d
    GROUP BY d.org_key, d.dimension, d.value
    HAVING sum(d.n) <> 0 OR sum(d.timed) <> 0 OR sum(d.seconds) <> 0
        OR sum(d.rated) <> 0 OR sum(d.rating_sum) <> 0
    ON CONFLICT (org_key, dimension, value, slot) DO UPDATE
    SET n = r.n + excluded.n, timed = r.timed + excluded.timed,
        seconds = r.seconds + excluded.seconds, rated = r.rated + excluded.rated,
        rating_sum = r.rating_sum + excluded.rating_sum;

    DELETE FROM stats_issue_due;
    INSERT INTO stats_issue_due AS r (org_key, hours, start_hour, slot, n)
    SELECT d.org_key, d.hours, d.start_hour, 0::smallint, sum(d.n)
    FROM (
        SELECT c.* FROM issues AS x CROSS JOIN LATERAL stats_issue_due_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.hours, d.start_hour
    HAVING sum(d.n) <> 0
    ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
    SET n = r.n + excluded.n;
END $$;

-- Each writer's slot rows add up over time; compacting keeps the counter tables small.
CREATE OR REPLACE FUNCTION stats_compact() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Fold the slots into slot 0 and drop counters that reached zero.
    LOCK TABLE stats_task_rollups, stats_task_due, stats_issue_rollups, stats_issue_due
        IN EXCLUSIVE MODE;

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, status, priority, sum(n) AS n, sum(on_time) AS on_time,
            sum(timed) AS timed, sum(seconds) AS seconds
        FROM stats_task_rollups GROUP BY org_key, status, priority
        HAVING sum(n) <> 0 OR sum(on_time) <> 0 OR sum(timed) <> 0 OR sum(seconds) <> 0;
    DELETE FROM stats_task_rollups;
    INSERT INTO stats_task_rollups (org_key, status, priority, slot, n, on_time, timed, seconds)
        SELECT org_key, status, priority, 0, n, on_time, timed, seconds FROM stats_folded;
    DROP TABLE stats_folded;

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, hours, start_hour, sum(n) AS n
        FROM stats_task_due GROUP BY org_key, hours, start_hour
        HAVING sum(n) <> 0;
    DELETE FROM stats_task_due;
    INSERT INTO stats_task_due (org_key, hours, start_hour, slot, n)
        SELECT org_key, hours, start_hour, 0, n FROM stats_folded;
    DROP TABLE stats_folded;

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, dimension, value, sum(n) AS n, sum(timed) AS timed,
            sum(seconds) AS seconds, sum(rated) AS rated, sum(rating_sum) AS rating_sum
        FROM stats_issue_rollups GROUP BY org_key, dimension, value
        HAVING sum(n) <> 0 OR sum(timed) <> 0 OR sum(seconds) <> 0 OR sum(rated) <> 0
            OR sum(rating_sum) <> 0;
    DELETE FROM stats_issue_rollups;
    INSERT INTO stats_issue_rollups
        (org_key, dimension, value, slot, n, timed, seconds, rated, rating_sum)
        SELECT org_key, dimension, value, 0, n, timed, seconds, rated, rating_sum
        FROM stats_folded;
    DROP TABLE stats_folded;

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, hours, start_hour, sum(n) AS n
        FROM stats_issue_due GROUP BY org_key, hours, start_hour
        HAVING sum(n) <> 0;
    DELETE FROM stats_issue_due;
    INSERT INTO stats_issue_due (org_key, hours, start_hour, slot, n)
        SELECT org_key, hours, start_hour, 0, n FROM stats_folded;
    DROP TABLE stats_folded;
END $$;
