-- pgstack:up
-- Results grow large and are written all day: build the payload index without blocking
-- writers. CREATE INDEX CONCURRENTLY cannot run in a transaction; pgstack sees that and runs
-- this file statement by statement (no directive needed), dropping and rebuilding the index
-- if an earlier build failed half way.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_test_results_payload
  ON test_results USING gin (payload jsonb_path_ops);

-- pgstack:down
DROP INDEX CONCURRENTLY IF EXISTS idx_test_results_payload;
