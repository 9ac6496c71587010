-- 0021_todo.sql: the to-do's tallies (todo_tallies), kept by triggers on tasks and issues.
-- See app/todo/models.py for what the table holds.
--
-- Statement-level triggers with transition tables keep them, as the stats rollups are
-- kept (0014_stats.sql): every INSERT, UPDATE or DELETE on tasks or issues subtracts the
-- old rows' tallies and adds the new rows', grouped, so one statement touches each tally
-- row once, in key order. A writer adds to slot pg_backend_pid() % 4; readers sum over
-- slots. TRUNCATE clears the tallies.
--
--   todo_task_rows(), todo_issue_rows()     one item's tallies: a row per kind it waits in
--   todo_track_tasks(), todo_track_issues() the functions of the triggers
--   todo_{tasks,issues}_{inserted,updated,deleted}, todo_{tasks,issues}_truncated
--   todo_clear()                            the function of the TRUNCATE triggers
--   todo_rebuild()   recompute every tally from tasks and issues (after a bulk load with
--                    the triggers disabled; bench/seed.py does that)
--   todo_compact()   fold the slots into slot 0 and drop tallies that reached zero
--
-- The kinds and their states are TODO_STATES of app/tasks/models.py and
-- app/issues/models.py (the to-do's partial indexes); tests/todo/test_tallies.py checks
-- that both say the same.
--
-- Loaded by migration 0021. Never edit this file: migration 0021 states its SHA-256 and
-- the test suite checks it. See README.md.


-- A task's tallies: (kind, the unit that must act, the other party's unit, sign).
CREATE OR REPLACE FUNCTION todo_task_rows(t tasks, sign integer)
RETURNS TABLE (kind text, acting_org_id uuid, other_org_id uuid, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT k.kind, k.acting, k.other, sign
    FROM (VALUES
        ('accept', t.assignee_org_id, t.issuer_org_id, t.status = 'issued'),
        ('work', t.assignee_org_id, t.issuer_org_id,
            t.status IN ('accepted', 'in_progress')
            OR (t.status = 'returned' AND t.returned_by = 'issuer')),
        ('verify', t.issuer_org_id, t.assignee_org_id, t.status = 'submitted'),
        ('extension', t.issuer_org_id, t.assignee_org_id,
            t.extension_due_at IS NOT NULL AND t.status NOT IN ('done', 'cancelled')),
        ('reissue', t.issuer_org_id, t.assignee_org_id,
            t.status = 'returned' AND t.returned_by = 'assignee')
    ) AS k (kind, acting, other, waits)
    WHERE k.waits
$$;

-- An issue's tallies.
CREATE OR REPLACE FUNCTION todo_issue_rows(i issues, sign integer)
RETURNS TABLE (kind text, acting_org_id uuid, other_org_id uuid, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT k.kind, k.acting, k.other, sign
    FROM (VALUES
        ('handle', i.handler_org_id, i.reporter_org_id, i.status IN ('open', 'acknowledged')),
        ('confirm', i.reporter_org_id, i.handler_org_id, i.status = 'resolved')
    ) AS k (kind, acting, other, waits)
    WHERE k.waits
$$;

CREATE OR REPLACE FUNCTION todo_track_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO todo_tallies AS r (kind, acting_org_id, other_org_id, slot, n)
        SELECT d.kind, d.acting_org_id, d.other_org_id, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL todo_task_rows(x, 1) AS c) AS d
        GROUP BY d.kind, d.acting_org_id, d.other_org_id
        ORDER BY d.kind, d.acting_org_id, d.other_org_id
        ON CONFLICT (kind, acting_org_id, other_org_id, slot) DO UPDATE SET n = r.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Most updates (a progress note, a version bump) leave every tallied column alone.
        IF NOT EXISTS (
            SELECT issuer_org_id, assignee_org_id, status, returned_by, extension_due_at
            FROM old_rows
            EXCEPT ALL
            SELECT issuer_org_id, assignee_org_id, status, returned_by, extension_due_at
            FROM new_rows
        ) THEN
            RETURN NULL;
        END IF;
        INSERT INTO todo_tallies AS r (kind, acting_org_id, other_org_id, slot, n)
        SELECT d.kind, d.acting_org_id, d.other_org_id, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL todo_task_rows(x, -1) AS c
            UNION ALL
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL todo_task_rows(x, 1) AS c
        ) AS d
        GROUP BY d.kind, d.acting_org_id, d.other_org_id
        HAVING sum(d.n) <> 0
        ORDER BY d.kind, d.acting_org_id, d.other_org_id
        ON CONFLICT (kind, acting_org_id, other_org_id, slot) DO UPDATE SET n = r.n + excluded.n;
    ELSE
        INSERT INTO todo_tallies AS r (kind, acting_org_id, other_org_id, slot, n)
        SELECT d.kind, d.acting_org_id, d.other_org_id, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL todo_task_rows(x, -1) AS c) AS d
        GROUP BY d.kind, d.acting_org_id, d.other_org_id
        ORDER BY d.kind, d.acting_org_id, d.other_org_id
        ON CONFLICT (kind, acting_org_id, other_org_id, slot) DO UPDATE SET n = r.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION todo_track_issues() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO todo_tallies AS r (kind, acting_org_id, other_org_id, slot, n)
        SELECT d.kind, d.acting_org_id, d.other_org_id, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL todo_issue_rows(x, 1) AS c) AS d
        GROUP BY d.kind, d.acting_org_id, d.other_org_id
        ORDER BY d.kind, d.acting_org_id, d.other_org_id
        ON CONFLICT (kind, acting_org_id, other_org_id, slot) DO UPDATE SET n = r.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (
            SELECT reporter_org_id, handler_org_id, status FROM old_rows
            EXCEPT ALL
            SELECT reporter_org_id, handler_org_id, status FROM new_rows
        ) THEN
            RETURN NULL;
        END IF;
        INSERT INTO todo_tallies AS r (kind, acting_org_id, other_org_id, slot, n)
        SELECT d.kind, d.acting_org_id, d.other_org_id, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (
            SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL todo_issue_rows(x, -1) AS c
            UNION ALL
            SELECT c.* FROM new_rows AS x CROSS JOIN LATERAL todo_issue_rows(x, 1) AS c
        ) AS d
        GROUP BY d.kind, d.acting_org_id, d.other_org_id
        HAVING sum(d.n) <> 0
        ORDER BY d.kind, d.acting_org_id, d.other_org_id
        ON CONFLICT (kind, acting_org_id, other_org_id, slot) DO UPDATE SET n = r.n + excluded.n;
    ELSE
        INSERT INTO todo_tallies AS r (kind, acting_org_id, other_org_id, slot, n)
        SELECT d.kind, d.acting_org_id, d.other_org_id, (pg_backend_pid() % 4)::smallint,
            sum(d.n)
        FROM (SELECT c.* FROM old_rows AS x CROSS JOIN LATERAL todo_issue_rows(x, -1) AS c) AS d
        GROUP BY d.kind, d.acting_org_id, d.other_org_id
        ORDER BY d.kind, d.acting_org_id, d.other_org_id
        ON CONFLICT (kind, acting_org_id, other_org_id, slot) DO UPDATE SET n = r.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;

-- After TRUNCATE of tasks or issues: drop that table's kinds.
CREATE OR REPLACE FUNCTION todo_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM todo_tallies WHERE kind = ANY (TG_ARGV);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER todo_tasks_inserted
    AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION todo_track_tasks();

CREATE OR REPLACE TRIGGER todo_tasks_updated
    AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION todo_track_tasks();

CREATE OR REPLACE TRIGGER todo_tasks_deleted
    AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION todo_track_tasks();

CREATE OR REPLACE TRIGGER todo_tasks_truncated
    AFTER TRUNCATE ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION todo_clear('accept', 'work', 'verify', 'extension', 'reissue');

CREATE OR REPLACE TRIGGER todo_issues_inserted
    AFTER INSERT ON issues
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION todo_track_issues();

CREATE OR REPLACE TRIGGER todo_issues_updated
    AFTER UPDATE ON issues
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION todo_track_issues();

CREATE OR REPLACE TRIGGER todo_issues_deleted
    AFTER DELETE ON issues
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION todo_track_issues();

CREATE OR REPLACE TRIGGER todo_issues_truncated
    AFTER TRUNCATE ON issues
    FOR EACH STATEMENT EXECUTE FUNCTION todo_clear('handle', 'confirm');

CREATE OR REPLACE FUNCTION todo_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Writers wait while the tallies are recomputed from one consistent snapshot.
    LOCK TABLE tasks, issues IN SHARE MODE;
    DELETE FROM todo_tallies;
    INSERT INTO todo_tallies (kind, acting_org_id, other_org_id, slot, n)
    SELECT d.kind, d.acting_org_id, d.other_org_id, 0::smallint, sum(d.n)
    FROM (
        SELECT c.* FROM tasks AS x CROSS JOIN LATERAL todo_task_rows(x, 1) AS c
        UNION ALL
        SELECT c.* FROM issues AS x CROSS JOIN LATERAL todo_issue_rows(x, 1) AS c
    ) AS d
    GROUP BY d.kind, d.acting_org_id, d.other_org_id;
END $$;

CREATE OR REPLACE FUNCTION todo_compact() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE todo_tallies IN EXCLUSIVE MODE;
    CREATE TEMP TABLE todo_folded ON COMMIT DROP AS
        SELECT kind, acting_org_id, other_org_id, sum(n) AS n FROM todo_tallies
        GROUP BY kind, acting_org_id, other_org_id HAVING sum(n) <> 0;
    DELETE FROM todo_tallies;
    INSERT INTO todo_tallies (kind, acting_org_id, other_org_id, slot, n)
        SELECT kind, acting_org_id, other_org_id, 0, n FROM todo_folded;
    DROP TABLE todo_folded;
END $$;
