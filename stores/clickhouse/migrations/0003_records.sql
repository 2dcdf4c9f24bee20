-- What else grows: counters, camera statistics, webhook deliveries, audit. Each row has a deterministic key,
-- so a writer that repeats an insert replaces rather than adds (ReplacingMergeTree; read with FINAL).

-- FindFace counters: faces counted in a camera's area at a time.
CREATE TABLE IF NOT EXISTS counter_records
(
    id String COMMENT 'record id, deterministic per counter and time',
    counter_id LowCardinality(String),
    camera LowCardinality(String),
    camera_group LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    faces_count UInt32,
    silhouettes_count UInt32,
    frame_ref String,
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (counter_id, ts, id);

-- Periodic samples of a camera's processing (one per camera and period).
CREATE TABLE IF NOT EXISTS camera_stats
(
    camera LowCardinality(String),
    ts DateTime('UTC') COMMENT 'start of the period',
    period_s UInt32,
    frames_decoded UInt64,
    frames_processed UInt64,
    frames_dropped UInt64,
    faces_detected UInt64,
    posts UInt64,
    events UInt64,
    fps Float32,
    lag_ms Float32,
    status LowCardinality(String) COMMENT 'e.g. ok | reconnecting | failed',
    error String,
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (camera, ts);

-- One row per attempt to deliver an object to a webhook.
CREATE TABLE IF NOT EXISTS webhook_deliveries
(
    id String COMMENT 'delivery id (webhook, object)',
    attempt UInt16,
    webhook_id LowCardinality(String),
    object_kind LowCardinality(String) COMMENT 'event | episode | …',
    object_id String,
    ts DateTime64(3, 'UTC'),
    url String,
    status_code UInt16 COMMENT '0 when no response',
    ok Bool,
    error String,
    duration_ms UInt32,
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (webhook_id, ts, id, attempt);

-- Every mutating API request.
CREATE TABLE IF NOT EXISTS audit_log
(
    id String COMMENT 'request id',
    ts DateTime64(3, 'UTC'),
    user_id String,
    user_name String,
    method LowCardinality(String),
    route String,
    status_code UInt16,
    body_digest String COMMENT 'sha256 of the request body',
    object_kind LowCardinality(String),
    object_id String,
    ip String,
    details String COMMENT 'JSON',
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (ts, id);
