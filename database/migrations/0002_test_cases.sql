-- pgstack:up
CREATE TABLE test_cases (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  suite_id bigint NOT NULL REFERENCES test_suites (id) ON DELETE CASCADE,
  name text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  definition jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (suite_id, name)
);
-- "Which cases carry tag X?" is array containment: a GIN index answers it.
CREATE INDEX idx_test_cases_tags ON test_cases USING gin (tags);

-- pgstack:down
DROP TABLE test_cases;
