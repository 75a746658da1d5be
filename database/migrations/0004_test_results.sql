-- pgstack:up
CREATE TABLE test_results (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES test_runs (id) ON DELETE CASCADE,
  case_id bigint NOT NULL REFERENCES test_cases (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('passed', 'failed', 'skipped', 'error')),
  duration_ms integer CHECK (duration_ms >= 0),
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,  -- assertions, logs, metrics, as the runner sent them
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, case_id)
);
CREATE INDEX idx_test_results_case ON test_results (case_id, created_at DESC);
CREATE INDEX idx_test_results_failed ON test_results (run_id) WHERE status IN ('failed', 'error');

-- pgstack:down
DROP TABLE test_results;
