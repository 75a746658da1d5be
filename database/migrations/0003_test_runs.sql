-- pgstack:up
CREATE TABLE test_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  suite_id bigint NOT NULL REFERENCES test_suites (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'passed', 'failed', 'cancelled')),
  triggered_by text,
  environment jsonb NOT NULL DEFAULT '{}'::jsonb,  -- commit, branch, runner, ...
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX idx_test_runs_suite_started ON test_runs (suite_id, started_at DESC);
CREATE INDEX idx_test_runs_environment ON test_runs USING gin (environment jsonb_path_ops);

-- pgstack:down
DROP TABLE test_runs;
