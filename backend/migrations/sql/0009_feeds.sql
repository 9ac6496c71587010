-- 0009_feeds.sql: the unit feeds task_feed and issue_feed, kept by triggers.
--
-- A feed holds one row (unit_key, created_at, id, due_at, status) per item and distinct
-- key of the union of its two party paths (tasks: issuer and assignee; issues: reporter
-- and handler), so a unit's newest-first list is a range of the feed's primary key, and
-- its list by due date (of some statuses, overdue or not) a range of its (unit_key,
-- due_at, id) index. Inserts add the rows; an update that changes a party path or the
-- creation time replaces that item's rows, one that changes only its due date or status
-- updates them; deletes cascade through the feed's foreign key (no trigger needed).
--
--   task_feed_add()   / task_feed_inserted    after INSERT on tasks (statement level)
--   task_feed_move()  / task_feed_updated     after UPDATE on tasks (statement level)
--   issue_feed_add()  / issue_feed_inserted   after INSERT on issues (statement level)
--   issue_feed_move() / issue_feed_updated    after UPDATE on issues (statement level)
--
-- Loaded by migration 0009 (replacing 0006_feeds.sql's definitions, which lacked due_at
-- and status). Never edit this file: migration 0009 states its SHA-256 and the test suite
-- checks it. To change a definition, copy what you change into a new file named after a
-- new migration (sql/00NN_feeds.sql) and load it from that migration; see README.md.


-- Tasks ---------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION task_feed_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_feed (unit_key, created_at, id, due_at, status)
        SELECT DISTINCT k, n.created_at, n.id, n.due_at, n.status
        FROM new_rows n, unnest(n.issuer_path || n.assignee_path) AS k;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION task_feed_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM task_feed f USING old_rows o JOIN new_rows n ON n.id = o.id
        WHERE f.id = o.id
          AND (o.issuer_path, o.assignee_path, o.created_at)
              IS DISTINCT FROM (n.issuer_path, n.assignee_path, n.created_at);
    INSERT INTO task_feed (unit_key, created_at, id, due_at, status)
        SELECT DISTINCT k, n.created_at, n.id, n.due_at, n.status
        FROM (
            SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.issuer_path, o.assignee_path, o.created_at)
                  IS DISTINCT FROM (n.issuer_path, n.assignee_path, n.created_at)
        ) n, unnest(n.issuer_path || n.assignee_path) AS k;
    UPDATE task_feed f SET due_at = n.due_at, status = n.status
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE f.id = o.id
          AND (o.issuer_path, o.assignee_path, o.created_at)
              IS NOT DISTINCT FROM (n.issuer_path, n.assignee_path, n.created_at)
          AND (o.due_at, o.status) IS DISTINCT FROM (n.due_at, n.status);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER task_feed_inserted
    AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_feed_add();

CREATE OR REPLACE TRIGGER task_feed_updated
    AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_feed_move();


-- Issues --------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION issue_feed_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO issue_feed (unit_key, created_at, id, due_at, status)
        SELECT DISTINCT k, n.created_at, n.id, n.due_at, n.status
        FROM new_rows n, unnest(n.reporter_path || n.handler_path) AS k;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION issue_feed_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM issue_feed f USING old_rows o JOIN new_rows n ON n.id = o.id
        WHERE f.id = o.id
          AND (o.reporter_path, o.handler_path, o.created_at)
              IS DISTINCT FROM (n.reporter_path, n.handler_path, n.created_at);
    INSERT INTO issue_feed (unit_key, created_at, id, due_at, status)
        SELECT DISTINCT k, n.created_at, n.id, n.due_at, n.status
        FROM (
            SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.reporter_path, o.handler_path, o.created_at)
                  IS DISTINCT FROM (n.reporter_path, n.handler_path, n.created_at)
        ) n, unnest(n.reporter_path || n.handler_path) AS k;
    UPDATE issue_feed f SET due_at = n.due_at, status = n.status
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE f.id = o.id
          AND (o.reporter_path, o.handler_path, o.created_at)
              IS NOT DISTINCT FROM (n.reporter_path, n.handler_path, n.created_at)
          AND (o.due_at, o.status) IS DISTINCT FROM (n.due_at, n.status);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER issue_feed_inserted
    AFTER INSERT ON issues
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION issue_feed_add();

CREATE OR REPLACE TRIGGER issue_feed_updated
    AFTER UPDATE ON issues
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION issue_feed_move();
