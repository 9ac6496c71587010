-- The first moment past which the clock raises an item's recorded colour (green to blue,
-- to yellow, to red), NULL when none will: the transition job's index key, so that it
-- reads the items it must change and not every open one.
CREATE OR REPLACE FUNCTION colour_rise(
    colour varchar, red_from timestamptz, yellow_from timestamptz, blue_from timestamptz
) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(
        CASE WHEN colour <> 'red' THEN red_from END,
        CASE WHEN colour IN ('blue', 'green') THEN yellow_from END,
        CASE WHEN colour = 'green' THEN blue_from END
    )
$$;
