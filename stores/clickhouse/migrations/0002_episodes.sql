-- Episodes (topic `episodes`), from EpisodeChange records: one row per episode, the latest change winning.
-- version = events_count × 2 + closed: every change of an episode has a larger one than the change before
-- (events are only added, a close comes last with the same count), and a replayed change the same.
CREATE TABLE IF NOT EXISTS episodes
(
    id String COMMENT 'episode id',
    version UInt64,
    scope LowCardinality(String),
    last_change Enum8('open' = 1, 'event' = 2, 'close' = 3),
    closed Bool,
    last_event_id String COMMENT 'event of the latest change; empty for a close',
    best_event_id String,
    events_count UInt32,
    dossier String COMMENT 'matched dossier; empty while no event of the episode matched',
    cameras Array(LowCardinality(String)),
    start_ts DateTime64(3, 'UTC') COMMENT 'first event time (fixed for an episode)',
    end_ts DateTime64(3, 'UTC') COMMENT 'last event time so far',
    start_t Float64,
    end_t Float64,
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_id id TYPE bloom_filter GRANULARITY 4,
    INDEX idx_dossier dossier TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(start_ts)
ORDER BY (start_ts, id);

-- Which episode each event belongs to, from the changes that carry an event id. The sink also copies the
-- episode id into face_events.episode_id (whichever of event and change arrives first).
CREATE TABLE IF NOT EXISTS episode_events
(
    event_id String,
    episode_id String,
    ts DateTime64(3, 'UTC') COMMENT 'end_ts of the change that linked them',
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY event_id;
