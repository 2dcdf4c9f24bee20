-- Login attempts per key (`ip:<address>`, `user:<name>`) in fixed windows (api/routes/auth.ts). Kept here rather than
-- in each serve process's memory so that every process of one deployment counts against the same limit: with two
-- processes behind a load balancer, per-process counters would let an address try twice as many passwords.
CREATE TABLE login_attempts (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  attempts integer NOT NULL
);
-- finished windows are swept by their start
CREATE INDEX login_attempts_window_start ON login_attempts (window_start);
