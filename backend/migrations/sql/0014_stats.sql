-- 0014_stats.sql: the dashboard counters and the scorecards (stats_* tables), kept by
-- triggers on tasks and issues. See app/stats/models.py for what the tables hold.
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
--   stats_local_day()                             a moment's local date (stats_zone)
--   stats_task_score_rows(), stats_task_acting_due_rows(), stats_score_tasks()
--   stats_issue_score_rows(), stats_issue_acting_due_rows(), stats_score_issues()
--   stats_{tasks,issues}_scored_{inserted,updated,deleted}
--                                                 the scorecards: per acting unit and day
--   stats_rebuild()    recompute every counter from tasks and issues (after a bulk load
--                      with the triggers disabled; bench/seed.py does that)
--   stats_compact()    fold the slots into slot 0 and drop counters that reached zero
--
-- Changed from 0006_stats.sql: one definition of overdue and on time (docs/scorecards.md):
-- a submitted task no longer counts as open for its due date (stats_task_due_rows), and a
-- done task is on time when it was submitted by its due date (stats_task_rows), since
-- verification time counts against the issuer. The scorecard tables are new.
--
-- Loaded by migration 0014. Never edit this file: migration 0014 states its SHA-256 and
-- the test suite checks it. To change a definition, copy this file into a new one named
-- after a new migration (sql/00NN_stats.sql) and load it from that migration; see
-- README.md.


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
        CASE WHEN t.status = 'done' AND t.submitted_at <= t.due_at THEN sign ELSE 0 END,
        CASE WHEN t.status = 'done' AND t.completed_at IS NOT NULL THEN sign ELSE 0 END,
        CASE WHEN t.status = 'done' AND t.completed_at IS NOT NULL
            THEN sign * floor(extract(epoch FROM t.completed_at - t.created_at))::bigint
            ELSE 0 END
    FROM stats_party_keys(t.issuer_path, t.assignee_path) AS k
$$;

-- An open task's contributions to stats_task_due: while its due date counts (not yet
-- submitted, done or cancelled).
CREATE OR REPLACE FUNCTION stats_task_due_rows(t tasks, sign integer)
RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT * FROM stats_due_rows(t.issuer_path, t.assignee_path, t.due_at, sign)
    WHERE t.status IN ('issued','accepted','in_progress','returned')
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
                submitted_at, completed_at
            FROM old_rows
            EXCEPT ALL
            SELECT issuer_path, assignee_path, status, priority, due_at, created_at,
                submitted_at, completed_at
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
    DELETE FROM stats_task_days;
    DELETE FROM stats_assignee_task_due;
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
    DELETE FROM stats_issue_days;
    DELETE FROM stats_handler_issue_due;
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


-- Scorecards ----------------------------------------------------------------------------

-- A moment's local date, in the time zone the scorecards are kept in (stats_zone, one row:
-- the application's TIME_ZONE when the migration ran).
CREATE OR REPLACE FUNCTION stats_local_day(at timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (at AT TIME ZONE (SELECT z.time_zone FROM stats_zone AS z))::date
$$;

-- One task's contributions to stats_task_days: against every unit on its assignee's path
-- (the assignee and its ancestors), on the local day it was issued. Cancelled tasks do not
-- count. Each counter is the task's 0 or 1, times sign.
CREATE OR REPLACE FUNCTION stats_task_score_rows(t tasks, sign integer)
RETURNS TABLE (
    org_key integer, day date, received integer, accepted_on_time integer,
    submitted integer, returned integer, done integer, done_on_time integer,
    done_first integer
)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT k, stats_local_day(t.created_at), sign,
        CASE WHEN t.accepted_at IS NOT NULL
            AND (t.accept_due_at IS NULL OR t.accepted_at <= t.accept_due_at)
            THEN sign ELSE 0 END,
        CASE WHEN t.submission_count > 0 THEN sign ELSE 0 END,
        CASE WHEN t.return_count > 0 THEN sign ELSE 0 END,
        CASE WHEN t.status = 'done' THEN sign ELSE 0 END,
        CASE WHEN t.status = 'done' AND t.submitted_at <= t.due_at THEN sign ELSE 0 END,
        CASE WHEN t.status = 'done' AND t.submission_count = 1 THEN sign ELSE 0 END
    FROM unnest(t.assignee_path) AS k
    WHERE t.status <> 'cancelled'
$$;

-- A task whose due date counts (not yet submitted, done or cancelled), in its due-date
-- buckets against every unit on its assignee's path (stats_assignee_task_due).
CREATE OR REPLACE FUNCTION stats_task_acting_due_rows(t tasks, sign integer)
RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT * FROM stats_due_rows(t.assignee_path, '{}', t.due_at, sign)
    WHERE t.status IN ('issued','accepted','in_progress','returned')
$$;

-- Add the contributions of `removed` (sign -1) and `added` (sign 1) to the task scorecards.
CREATE OR REPLACE FUNCTION stats_score_task_rows(removed tasks[], added tasks[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_task_days AS r
        (org_key, day, slot, received, accepted_on_time, submitted, returned, done,
            done_on_time, done_first)
    SELECT d.org_key, d.day, (pg_backend_pid() % 4)::smallint, sum(d.received),
        sum(d.accepted_on_time), sum(d.submitted), sum(d.returned), sum(d.done),
        sum(d.done_on_time), sum(d.done_first)
    FROM (
        SELECT c.* FROM unnest(removed) AS x CROSS JOIN LATERAL stats_task_score_rows(x, -1) AS c
        UNION ALL
        SELECT c.* FROM unnest(added) AS x CROSS JOIN LATERAL stats_task_score_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.day
    HAVING sum(d.received) <> 0 OR sum(d.accepted_on_time) <> 0 OR sum(d.submitted) <> 0
        OR sum(d.returned) <> 0 OR sum(d.done) <> 0 OR sum(d.done_on_time) <> 0
        OR sum(d.done_first) <> 0
    ORDER BY d.org_key, d.day
    ON CONFLICT (org_key, day, slot) DO UPDATE
    SET received = r.received + excluded.received,
        accepted_on_time = r.accepted_on_time + excluded.accepted_on_time,
        submitted = r.submitted + excluded.submitted, returned = r.returned + excluded.returned,
        done = r.done + excluded.done, done_on_time = r.done_on_time + excluded.done_on_time,
        done_first = r.done_first + excluded.done_first;

    INSERT INTO stats_assignee_task_due AS r (org_key, hours, start_hour, slot, n)
    SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint, sum(d.n)
    FROM (
        SELECT c.* FROM unnest(removed) AS x
            CROSS JOIN LATERAL stats_task_acting_due_rows(x, -1) AS c
        UNION ALL
        SELECT c.* FROM unnest(added) AS x
            CROSS JOIN LATERAL stats_task_acting_due_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.hours, d.start_hour
    HAVING sum(d.n) <> 0
    ORDER BY d.org_key, d.hours, d.start_hour
    ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
    SET n = r.n + excluded.n;
END $$;

-- After INSERT, UPDATE or DELETE on tasks: the scorecards' share of stats_track_tasks().
CREATE OR REPLACE FUNCTION stats_score_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_score_task_rows('{}', (SELECT array_agg(x::tasks) FROM new_rows AS x));
    ELSIF TG_OP = 'UPDATE' THEN
        -- Most updates (a version bump, a note) leave every counted column alone.
        IF NOT EXISTS (
            SELECT assignee_path, status, due_at, created_at, accepted_at, accept_due_at,
                submitted_at, submission_count, return_count
            FROM old_rows
            EXCEPT ALL
            SELECT assignee_path, status, due_at, created_at, accepted_at, accept_due_at,
                submitted_at, submission_count, return_count
            FROM new_rows
        ) THEN
            RETURN NULL;
        END IF;
        PERFORM stats_score_task_rows(
            (SELECT array_agg(x::tasks) FROM old_rows AS x), (SELECT array_agg(x::tasks) FROM new_rows AS x)
        );
    ELSE
        PERFORM stats_score_task_rows((SELECT array_agg(x::tasks) FROM old_rows AS x), '{}');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER stats_tasks_scored_inserted
    AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_score_tasks();

CREATE OR REPLACE TRIGGER stats_tasks_scored_updated
    AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_score_tasks();

CREATE OR REPLACE TRIGGER stats_tasks_scored_deleted
    AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_score_tasks();

-- One issue's contributions to stats_issue_days: against every unit on its current
-- handler's path, on the local day it was raised.
CREATE OR REPLACE FUNCTION stats_issue_score_rows(i issues, sign integer)
RETURNS TABLE (
    org_key integer, day date, handled integer, resolved integer,
    resolved_on_time integer, rated integer, rating_sum integer
)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT k, stats_local_day(i.created_at), sign,
        CASE WHEN i.status IN ('resolved','closed') THEN sign ELSE 0 END,
        CASE WHEN i.status IN ('resolved','closed') AND i.resolved_at <= i.due_at
            THEN sign ELSE 0 END,
        CASE WHEN i.rating IS NOT NULL THEN sign ELSE 0 END,
        sign * coalesce(i.rating, 0)
    FROM unnest(i.handler_path) AS k
$$;

-- An unresolved issue in its due-date buckets against every unit on its handler's path
-- (stats_handler_issue_due).
CREATE OR REPLACE FUNCTION stats_issue_acting_due_rows(i issues, sign integer)
RETURNS TABLE (org_key integer, hours smallint, start_hour integer, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT * FROM stats_due_rows(i.handler_path, '{}', i.due_at, sign)
    WHERE i.status IN ('open','acknowledged')
$$;

-- Add the contributions of `removed` (sign -1) and `added` (sign 1) to the issue scorecards.
CREATE OR REPLACE FUNCTION stats_score_issue_rows(removed issues[], added issues[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_issue_days AS r
        (org_key, day, slot, handled, resolved, resolved_on_time, rated, rating_sum)
    SELECT d.org_key, d.day, (pg_backend_pid() % 4)::smallint, sum(d.handled),
        sum(d.resolved), sum(d.resolved_on_time), sum(d.rated), sum(d.rating_sum)
    FROM (
        SELECT c.* FROM unnest(removed) AS x
            CROSS JOIN LATERAL stats_issue_score_rows(x, -1) AS c
        UNION ALL
        SELECT c.* FROM unnest(added) AS x CROSS JOIN LATERAL stats_issue_score_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.day
    HAVING sum(d.handled) <> 0 OR sum(d.resolved) <> 0 OR sum(d.resolved_on_time) <> 0
        OR sum(d.rated) <> 0 OR sum(d.rating_sum) <> 0
    ORDER BY d.org_key, d.day
    ON CONFLICT (org_key, day, slot) DO UPDATE
    SET handled = r.handled + excluded.handled, resolved = r.resolved + excluded.resolved,
        resolved_on_time = r.resolved_on_time + excluded.resolved_on_time,
        rated = r.rated + excluded.rated, rating_sum = r.rating_sum + excluded.rating_sum;

    INSERT INTO stats_handler_issue_due AS r (org_key, hours, start_hour, slot, n)
    SELECT d.org_key, d.hours, d.start_hour, (pg_backend_pid() % 4)::smallint, sum(d.n)
    FROM (
        SELECT c.* FROM unnest(removed) AS x
            CROSS JOIN LATERAL stats_issue_acting_due_rows(x, -1) AS c
        UNION ALL
        SELECT c.* FROM unnest(added) AS x
            CROSS JOIN LATERAL stats_issue_acting_due_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.hours, d.start_hour
    HAVING sum(d.n) <> 0
    ORDER BY d.org_key, d.hours, d.start_hour
    ON CONFLICT (org_key, hours, start_hour, slot) DO UPDATE
    SET n = r.n + excluded.n;
END $$;

-- After INSERT, UPDATE or DELETE on issues: the scorecards' share of stats_track_issues().
CREATE OR REPLACE FUNCTION stats_score_issues() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_score_issue_rows('{}', (SELECT array_agg(x::issues) FROM new_rows AS x));
    ELSIF TG_OP = 'UPDATE' THEN
        -- Most updates (a version bump, a note) leave every counted column alone.
        IF NOT EXISTS (
            SELECT handler_path, status, due_at, created_at, resolved_at, rating
            FROM old_rows
            EXCEPT ALL
            SELECT handler_path, status, due_at, created_at, resolved_at, rating
            FROM new_rows
        ) THEN
            RETURN NULL;
        END IF;
        PERFORM stats_score_issue_rows(
            (SELECT array_agg(x::issues) FROM old_rows AS x), (SELECT array_agg(x::issues) FROM new_rows AS x)
        );
    ELSE
        PERFORM stats_score_issue_rows((SELECT array_agg(x::issues) FROM old_rows AS x), '{}');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER stats_issues_scored_inserted
    AFTER INSERT ON issues
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_score_issues();

CREATE OR REPLACE TRIGGER stats_issues_scored_updated
    AFTER UPDATE ON issues
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_score_issues();

CREATE OR REPLACE TRIGGER stats_issues_scored_deleted
    AFTER DELETE ON issues
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_score_issues();


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

    DELETE FROM stats_task_days;
    INSERT INTO stats_task_days
        (org_key, day, slot, received, accepted_on_time, submitted, returned, done,
            done_on_time, done_first)
    SELECT d.org_key, d.day, 0::smallint, sum(d.received), sum(d.accepted_on_time),
        sum(d.submitted), sum(d.returned), sum(d.done), sum(d.done_on_time), sum(d.done_first)
    FROM (SELECT c.* FROM tasks AS x CROSS JOIN LATERAL stats_task_score_rows(x, 1) AS c) AS d
    GROUP BY d.org_key, d.day;

    DELETE FROM stats_assignee_task_due;
    INSERT INTO stats_assignee_task_due (org_key, hours, start_hour, slot, n)
    SELECT d.org_key, d.hours, d.start_hour, 0::smallint, sum(d.n)
    FROM (
        SELECT c.* FROM tasks AS x CROSS JOIN LATERAL stats_task_acting_due_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.hours, d.start_hour;

    DELETE FROM stats_issue_days;
    INSERT INTO stats_issue_days
        (org_key, day, slot, handled, resolved, resolved_on_time, rated, rating_sum)
    SELECT d.org_key, d.day, 0::smallint, sum(d.handled), sum(d.resolved),
        sum(d.resolved_on_time), sum(d.rated), sum(d.rating_sum)
    FROM (
        SELECT c.* FROM issues AS x CROSS JOIN LATERAL stats_issue_score_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.day;

    DELETE FROM stats_handler_issue_due;
    INSERT INTO stats_handler_issue_due (org_key, hours, start_hour, slot, n)
    SELECT d.org_key, d.hours, d.start_hour, 0::smallint, sum(d.n)
    FROM (
        SELECT c.* FROM issues AS x CROSS JOIN LATERAL stats_issue_acting_due_rows(x, 1) AS c
    ) AS d
    GROUP BY d.org_key, d.hours, d.start_hour;
END $$;

-- Each writer's slot rows add up over time; compacting keeps the counter tables small.
CREATE OR REPLACE FUNCTION stats_compact() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Fold the slots into slot 0 and drop counters that reached zero.
    LOCK TABLE stats_task_rollups, stats_task_due, stats_issue_rollups, stats_issue_due,
        stats_task_days, stats_assignee_task_due, stats_issue_days, stats_handler_issue_due
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

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, day, sum(received) AS received,
            sum(accepted_on_time) AS accepted_on_time, sum(submitted) AS submitted,
            sum(returned) AS returned, sum(done) AS done, sum(done_on_time) AS done_on_time,
            sum(done_first) AS done_first
        FROM stats_task_days GROUP BY org_key, day
        HAVING sum(received) <> 0 OR sum(accepted_on_time) <> 0 OR sum(submitted) <> 0
            OR sum(returned) <> 0 OR sum(done) <> 0 OR sum(done_on_time) <> 0
            OR sum(done_first) <> 0;
    DELETE FROM stats_task_days;
    INSERT INTO stats_task_days
        (org_key, day, slot, received, accepted_on_time, submitted, returned, done,
            done_on_time, done_first)
        SELECT org_key, day, 0, received, accepted_on_time, submitted, returned, done,
            done_on_time, done_first
        FROM stats_folded;
    DROP TABLE stats_folded;

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, day, sum(handled) AS handled, sum(resolved) AS resolved,
            sum(resolved_on_time) AS resolved_on_time, sum(rated) AS rated,
            sum(rating_sum) AS rating_sum
        FROM stats_issue_days GROUP BY org_key, day
        HAVING sum(handled) <> 0 OR sum(resolved) <> 0 OR sum(resolved_on_time) <> 0
            OR sum(rated) <> 0 OR sum(rating_sum) <> 0;
    DELETE FROM stats_issue_days;
    INSERT INTO stats_issue_days
        (org_key, day, slot, handled, resolved, resolved_on_time, rated, rating_sum)
        SELECT org_key, day, 0, handled, resolved, resolved_on_time, rated, rating_sum
        FROM stats_folded;
    DROP TABLE stats_folded;

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, hours, start_hour, sum(n) AS n
        FROM stats_assignee_task_due GROUP BY org_key, hours, start_hour
        HAVING sum(n) <> 0;
    DELETE FROM stats_assignee_task_due;
    INSERT INTO stats_assignee_task_due (org_key, hours, start_hour, slot, n)
        SELECT org_key, hours, start_hour, 0, n FROM stats_folded;
    DROP TABLE stats_folded;

    CREATE TEMP TABLE stats_folded ON COMMIT DROP AS
        SELECT org_key, hours, start_hour, sum(n) AS n
        FROM stats_handler_issue_due GROUP BY org_key, hours, start_hour
        HAVING sum(n) <> 0;
    DELETE FROM stats_handler_issue_due;
    INSERT INTO stats_handler_issue_due (org_key, hours, start_hour, slot, n)
        SELECT org_key, hours, start_hour, 0, n FROM stats_folded;
    DROP TABLE stats_folded;
END $$;
