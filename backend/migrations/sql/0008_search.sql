-- Search on titles without pg_trgm (the embedded server has none): each title's grams,
-- every character and every pair of adjacent characters of its lowercased text, are
-- stored in a generated text[] column with a GIN index (migration 0008). A search for q
-- asks for the rows whose grams contain search_query_grams(q), then applies the exact
-- `title ILIKE '%q%'` to those candidates.
--
-- Why it never loses a match: in a UTF-8 database ILIKE compares lower(title) with
-- lower(pattern) under the title's collation, and these functions lowercase with the same
-- lower(), so a title that contains q holds every gram of q. Python never computes grams.
--
-- IMMUTABLE is what a generated column needs; it holds as long as lower() does (the
-- database's collation is fixed at creation). Stored grams are not recomputed when a
-- function body changes: a new definition needs a migration that rewrites the column.

CREATE OR REPLACE FUNCTION search_grams(body text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(lowered, i, n)), '{}')
    FROM (SELECT lower(body) AS lowered) l,
        generate_series(1, length(lowered)) i,
        (VALUES (1), (2)) size(n)
    WHERE i + n - 1 <= length(lowered)
$$;

-- The grams a title must hold to contain q: its one character, or its pairs (none for an
-- empty q, which every title contains).
CREATE OR REPLACE FUNCTION search_query_grams(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE WHEN length(lowered) = 1 THEN ARRAY[lowered]
        ELSE ARRAY(SELECT DISTINCT substr(lowered, i, 2)
                   FROM generate_series(1, length(lowered) - 1) i) END
    FROM (SELECT lower(q) AS lowered) l
$$;
