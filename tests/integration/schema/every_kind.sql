-- A schema that uses every kind of object migrate dump writes.
DO $$ BEGIN CREATE ROLE dump_reader; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TYPE app.order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TYPE app.money_pair AS (amount numeric(12, 2), currency char(3));
CREATE DOMAIN app.email AS text COLLATE "C" CHECK (VALUE LIKE '%@%') NOT NULL;
CREATE SEQUENCE app.invoice_no AS integer START WITH 1000 INCREMENT BY 5 CACHE 1;
CREATE FUNCTION app.next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' || nextval('app.invoice_no') $$;
CREATE TABLE app.accounts (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 7) PRIMARY KEY,
  email app.email,
  name text COLLATE "C" NOT NULL DEFAULT '',
  code text DEFAULT app.next_code(),
  balance app.money_pair,
  name_len int GENERATED ALWAYS AS (length(name)) STORED,
  CONSTRAINT name_short CHECK (length(name) < 200)
);
ALTER SEQUENCE app.invoice_no OWNED BY app.accounts.code;
CREATE UNLOGGED TABLE app.cache (k text PRIMARY KEY, v jsonb) WITH (fillfactor = 70);
CREATE TABLE app.orders (
  id bigint NOT NULL,
  account_id bigint REFERENCES app.accounts (id) DEFERRABLE INITIALLY DEFERRED,
  status app.order_status NOT NULL DEFAULT 'new',
  placed tstzrange,
  tags text[],
  note text,
  UNIQUE (id),
  EXCLUDE USING gist (account_id WITH =, placed WITH &&)
);
CREATE INDEX orders_open ON app.orders (account_id) INCLUDE (status) WHERE status <> 'shipped';
CREATE INDEX orders_lower_note ON app.orders (lower(note));
CREATE INDEX orders_tags ON app.orders USING gin (tags);
CREATE TABLE app.events (id bigint, at date NOT NULL, body text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;
CREATE INDEX events_at ON app.events (at);
CREATE TABLE audit.log (id serial PRIMARY KEY, account_id bigint REFERENCES app.accounts (id), what text);
CREATE VIEW app.paid_orders AS SELECT id, account_id FROM app.orders WHERE status = 'paid';
CREATE VIEW app.paid_accounts WITH (security_barrier = true) AS
  SELECT a.id, a.name FROM app.accounts a JOIN app.paid_orders p ON p.account_id = a.id;
CREATE VIEW audit.recent AS SELECT l.id, a.name FROM audit.log l JOIN app.accounts a ON a.id = l.account_id;
CREATE MATERIALIZED VIEW app.order_counts AS SELECT account_id, count(*) AS n FROM app.orders GROUP BY account_id;
CREATE UNIQUE INDEX order_counts_account ON app.order_counts (account_id);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.note := coalesce(NEW.note, ''); RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE FUNCTION app.order_total(o bigint) RETURNS bigint LANGUAGE sql STABLE
  BEGIN ATOMIC SELECT count(*) FROM app.orders WHERE id = o; END;
CREATE PROCEDURE app.archive(before date) LANGUAGE sql AS $$ DELETE FROM app.events WHERE at < before $$;
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders FOR SELECT TO PUBLIC
  USING (account_id = current_setting('app.account', true)::bigint);
CREATE POLICY staff_writes ON app.orders AS RESTRICTIVE FOR UPDATE USING (true) WITH CHECK (status <> 'new');
COMMENT ON SCHEMA app IS 'the application';
COMMENT ON TABLE app.orders IS 'one row per order';
COMMENT ON COLUMN app.orders.note IS 'free text';
COMMENT ON FUNCTION app.touch() IS 'fills note';
COMMENT ON CONSTRAINT name_short ON app.accounts IS 'names stay short';
COMMENT ON INDEX app.orders_open IS 'open orders';
COMMENT ON VIEW app.paid_orders IS 'paid';
GRANT USAGE ON SCHEMA app TO PUBLIC;
GRANT SELECT, INSERT ON app.orders TO PUBLIC;
GRANT SELECT ON app.paid_orders TO dump_reader WITH GRANT OPTION;
GRANT USAGE ON SEQUENCE app.invoice_no TO PUBLIC;
REVOKE EXECUTE ON FUNCTION app.next_code() FROM PUBLIC;
