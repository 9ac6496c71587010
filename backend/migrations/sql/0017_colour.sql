-- Colour (亮灯) of tasks and issues: the moments each colour starts, kept on the row by a
-- BEFORE trigger, and one timeline event per change of the recorded colour. docs/colour.md
-- defines the colours; app/workitems/colour.py is the same rule in Python.
--
--   colour_working_day_before(date, integer)   the n-th working day strictly before a day
--   colour_working_day_after(date, integer)    the n-th working day strictly after a day
--   colour_blue_from(timestamptz)              when a due date turns blue
--   colour_blue_until(timestamptz)             the latest due date that is blue at a moment
--   colour_at(...)                             the colour at a moment, from the moments
--   colour_task_moments(), colour_issue_moments()   BEFORE INSERT OR UPDATE on the tables
--   colour_changed()                           the `colour_changed` timeline event
--
-- Days are read from calendar_days; a day not entered yet counts as the ordinary week
-- (Monday to Friday), so that a colour never waits on the calendar. Local time is the
-- scorecards' zone (stats_zone: the application's TIME_ZONE).

CREATE OR REPLACE FUNCTION colour_working_day_before(d date, n integer) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.day FROM (SELECT d - k AS day FROM generate_series(1, 60) AS k) AS c
    LEFT JOIN calendar_days AS s ON s.day = c.day
    WHERE coalesce(s.working, extract(isodow FROM c.day) < 6)
    ORDER BY c.day DESC OFFSET n - 1 LIMIT 1
$$;

CREATE OR REPLACE FUNCTION colour_working_day_after(d date, n integer) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.day FROM (SELECT d + k AS day FROM generate_series(1, 60) AS k) AS c
    LEFT JOIN calendar_days AS s ON s.day = c.day
    WHERE coalesce(s.working, extract(isodow FROM c.day) < 6)
    ORDER BY c.day OFFSET n - 1 LIMIT 1
$$;

-- Blue is "due within 2 working days": due by 18:00 of the second working day after
-- today. That holds from the local midnight of the second working day before the due
-- day (the day after, when it is due after 18:00).
CREATE OR REPLACE FUNCTION colour_blue_from(due timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT colour_working_day_before(
        l.at::date + CASE WHEN l.at::time > time '18:00' THEN 1 ELSE 0 END, 2
    )::timestamp AT TIME ZONE z.time_zone
    FROM stats_zone AS z, LATERAL (SELECT due AT TIME ZONE z.time_zone AS at) AS l
$$;

CREATE OR REPLACE FUNCTION colour_blue_until(at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (colour_working_day_after((at AT TIME ZONE z.time_zone)::date, 2) + time '18:00')
        AT TIME ZONE z.time_zone
    FROM stats_zone AS z
$$;

-- Red and yellow hold once `at` is past their moments (overdue is past the due date;
-- yellow is more than 20 points behind), blue from its moment on (a local midnight);
-- red > yellow > blue > green.
CREATE OR REPLACE FUNCTION colour_at(
    red_from timestamptz, yellow boolean, yellow_from timestamptz, blue_from timestamptz,
    at timestamptz
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN red_from < at THEN 'red'
        WHEN yellow OR yellow_from < at THEN 'yellow'
        WHEN blue_from <= at THEN 'blue'
        ELSE 'green'
    END
$$;

-- A task's moments while its due date counts (issued, accepted, in progress, returned):
-- red at its due date, or at its acceptance limit while it is not signed for; yellow when
-- planned progress (linear from issue to due date) is more than 20 points ahead of its
-- progress, or while it is flagged (returned, until submitted again); blue as above.
-- The recorded colour follows, unless the statement sets it (the transition job does).
CREATE OR REPLACE FUNCTION colour_task_moments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('issued', 'accepted', 'in_progress', 'returned') THEN
        NEW.red_from := CASE
            WHEN NEW.status = 'issued' AND NEW.accept_due_at < NEW.due_at THEN NEW.accept_due_at
            ELSE NEW.due_at
        END;
        NEW.yellow_from := CASE
            WHEN NEW.progress + 20 < 100 AND NEW.due_at > NEW.created_at
            THEN NEW.created_at + (NEW.due_at - NEW.created_at) * ((NEW.progress + 20) / 100.0)
        END;
        NEW.blue_from := colour_blue_from(NEW.due_at);
    ELSE
        NEW.red_from := NULL;
        NEW.yellow_from := NULL;
        NEW.blue_from := NULL;
        NEW.yellow := false;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.colour IS NOT DISTINCT FROM OLD.colour THEN
        NEW.colour := colour_at(NEW.red_from, NEW.yellow, NEW.yellow_from, NEW.blue_from, now());
    END IF;
    RETURN NEW;
END $$;

-- An issue's, while unresolved (open, acknowledged): red at its due date, yellow while
-- flagged (reopened, until resolved again), blue as above.
CREATE OR REPLACE FUNCTION colour_issue_moments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('open', 'acknowledged') THEN
        NEW.red_from := NEW.due_at;
        NEW.blue_from := colour_blue_from(NEW.due_at);
    ELSE
        NEW.red_from := NULL;
        NEW.blue_from := NULL;
        NEW.yellow := false;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.colour IS NOT DISTINCT FROM OLD.colour THEN
        NEW.colour := colour_at(NEW.red_from, NEW.yellow, NULL, NEW.blue_from, now());
    END IF;
    RETURN NEW;
END $$;

-- Deferred to the end of the transaction, so the event follows the action that caused it.
CREATE OR REPLACE FUNCTION colour_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_events (entity_type, entity_id, action, data, at)
    VALUES (TG_ARGV[0], NEW.id, 'colour_changed',
            jsonb_build_object('from', OLD.colour, 'to', NEW.colour), now());
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER colour_tasks_moments
    BEFORE INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION colour_task_moments();

CREATE OR REPLACE TRIGGER colour_issues_moments
    BEFORE INSERT OR UPDATE ON issues
    FOR EACH ROW EXECUTE FUNCTION colour_issue_moments();

-- A constraint trigger has no CREATE OR REPLACE.
DROP TRIGGER IF EXISTS colour_tasks_changed ON tasks;
CREATE CONSTRAINT TRIGGER colour_tasks_changed
    AFTER UPDATE ON tasks DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.colour IS DISTINCT FROM NEW.colour)
    EXECUTE FUNCTION colour_changed('task');

DROP TRIGGER IF EXISTS colour_issues_changed ON issues;
CREATE CONSTRAINT TRIGGER colour_issues_changed
    AFTER UPDATE ON issues DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.colour IS DISTINCT FROM NEW.colour)
    EXECUTE FUNCTION colour_changed('issue');
