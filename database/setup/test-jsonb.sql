-- The setup plan's JSONB test (step 2), as a validation script.
--
--   psql -X -v ON_ERROR_STOP=1 -f database/setup/test-jsonb.sql "$DATABASE_URL"
--
-- It runs the plan's statements (the test_jsonb table keyed by gen_random_uuid(), the two
-- inserts, the `?` + `->>` query, the `->`/`->>` equality query, the GIN index) inside one
-- transaction that it rolls back, so the database is left exactly as it was. It then lists every
-- result it expected next to what it got, and raises an error when any differs, so psql exits
-- non-zero. `pgstack verify` (check jsonb.script) runs this same file and compares the rows of
-- that list itself. Plain SQL only: no psql meta-commands, so that libpq can run it as is.

BEGIN;

CREATE TABLE test_jsonb (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    data JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO test_jsonb (data) VALUES
    ('{"name": "Test User", "email": "test@example.com",
       "preferences": {"theme": "dark", "notifications": true}}');
INSERT INTO test_jsonb (data) VALUES
    ('{"name": "Another User", "email": "another@example.com", "tags": ["admin", "developer"]}');

-- Key existence (?) and text extraction (->>).
SELECT data->>'name' AS name FROM test_jsonb WHERE data ? 'email' ORDER BY name;

-- Nested navigation (->) and text equality (->>).
SELECT data->>'name' AS name FROM test_jsonb WHERE data->'preferences'->>'theme' = 'dark';

-- "Indexes are created successfully".
CREATE INDEX idx_test_jsonb_data ON test_jsonb USING GIN (data);

-- What each step should have returned, next to what it returned. verify reads these columns by
-- name: step, expected, actual.
CREATE TEMPORARY VIEW test_jsonb_results AS
SELECT step, expected, actual FROM (VALUES
    (1, 'gen_random_uuid() gives each row its own key', '2 of 2',
     (SELECT count(DISTINCT id) || ' of ' || count(*) FROM test_jsonb)),
    (2, '? ''email'' with ->> ''name''', 'Another User, Test User',
     (SELECT string_agg(data->>'name', ', ' ORDER BY data->>'name')
        FROM test_jsonb WHERE data ? 'email')),
    (3, '->''preferences''->>''theme'' = ''dark''', 'Test User',
     (SELECT string_agg(data->>'name', ', ' ORDER BY data->>'name')
        FROM test_jsonb WHERE data->'preferences'->>'theme' = 'dark')),
    (4, 'tags array element (@>) with ->> ''name''', 'Another User',
     (SELECT string_agg(data->>'name', ', ') FROM test_jsonb WHERE data @> '{"tags": ["admin"]}')),
    (5, 'idx_test_jsonb_data is a valid GIN index on data', 'gin (data), valid',
     (SELECT am.amname || ' (' || pg_get_indexdef(i.indexrelid, 1, true) || ')'
             || CASE WHEN i.indisvalid THEN ', valid' ELSE ', invalid' END
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_am am ON am.oid = c.relam
       WHERE i.indexrelid = 'idx_test_jsonb_data'::regclass))
) AS r(n, step, expected, actual)
ORDER BY n;

SELECT step, expected, actual FROM test_jsonb_results;

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM test_jsonb_results WHERE actual IS DISTINCT FROM expected LOOP
    RAISE EXCEPTION 'test-jsonb.sql: % returned %, expected %',
      r.step, coalesce(r.actual, 'nothing'), r.expected;
  END LOOP;
END
$$;

ROLLBACK;
