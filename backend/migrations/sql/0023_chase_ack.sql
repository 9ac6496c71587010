-- The chase_ack to-do reads each person's unacknowledged chasing notices in their items'
-- due-date order (ix_notifications_unacknowledged), not every such item's row: a chasing
-- notice carries its item's due date, set as it is made and moved with the item's.
CREATE OR REPLACE FUNCTION notifications_item_due() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind IN ('chase_circular', 'chase_notice', 'chase_reminder', 'chase_supervision') THEN
        NEW.item_due_at := CASE NEW.entity_type
            WHEN 'task' THEN (SELECT t.due_at FROM tasks t WHERE t.id = NEW.entity_id)
            WHEN 'issue' THEN (SELECT i.due_at FROM issues i WHERE i.id = NEW.entity_id)
        END;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER notifications_item_due BEFORE INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_item_due();

-- TG_ARGV[0]: the item type of the table.
CREATE OR REPLACE FUNCTION notifications_item_due_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE notifications SET item_due_at = NEW.due_at
    WHERE entity_id = NEW.id AND entity_type = TG_ARGV[0] AND acknowledged_at IS NULL
        AND kind IN ('chase_circular', 'chase_notice', 'chase_reminder', 'chase_supervision');
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER notifications_task_due_moved AFTER UPDATE OF due_at ON tasks
    FOR EACH ROW WHEN (OLD.due_at IS DISTINCT FROM NEW.due_at)
    EXECUTE FUNCTION notifications_item_due_moved('task');

CREATE OR REPLACE TRIGGER notifications_issue_due_moved AFTER UPDATE OF due_at ON issues
    FOR EACH ROW WHEN (OLD.due_at IS DISTINCT FROM NEW.due_at)
    EXECUTE FUNCTION notifications_item_due_moved('issue');
