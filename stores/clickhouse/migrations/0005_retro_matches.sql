-- Retro matches: a past event found, when a face was added to a dossier, to be at least the retro-match threshold
-- similar to that face (api/retro-match/). A table of its own rather than new rows in face_events: an event stays
-- one row there (listing, cursors, acknowledgement and the statistics views, which count face_events inserts, are
-- untouched), and a retro match is seen through the watch lists of the dossier it now matches, not those the event
-- matched live (docs/CLICKHOUSE.md). One row per (event, dossier): the sorting key ends with both, and event_ts is
-- fixed by the event id. version = confidence × 10^6, so a later enrolment of the same person keeps the better
-- match whatever the order the rows arrive in, and the same match found again replaces itself.
CREATE TABLE IF NOT EXISTS retro_matches
(
    event_id String COMMENT 'face_events.id',
    event_ts DateTime64(3, 'UTC') COMMENT 'face_events.ts of the event (for time ranges and ordering without reading face_events)',
    dossier String COMMENT 'dossier the event now matches',
    dossier_face String COMMENT 'the dossier face whose enrolment found it',
    watch_lists Array(LowCardinality(String)) COMMENT 'the dossier''s watch lists when found (visibility)',
    confidence Float32 COMMENT 'cosine similarity of the event and the dossier face',
    version UInt32 COMMENT 'round(confidence × 10^6) clamped at 0: the better match wins',
    found_at DateTime64(3, 'UTC'),
    INDEX idx_dossier dossier TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(event_ts)
ORDER BY (event_ts, event_id, dossier);
