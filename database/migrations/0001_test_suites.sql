-- pgstack:up
-- A suite groups test cases (one per product area or repository).
CREATE TABLE test_suites (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- pgstack:down
DROP TABLE test_suites;
