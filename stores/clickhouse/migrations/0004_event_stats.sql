-- Event statistics per minute, hour and day, by camera, camera group, watch list and dossier: one table per
-- granularity, the grouping in (dimension, value), filled by a materialized view on every insert into
-- face_events.
--
-- Duplicates: a materialized view sees every inserted block, including an event the sink writes again (a
-- replay after a crash, a retried batch) and the rewrites of a row (episode link, acknowledgement). A plain
-- count (SummingMergeTree) would count each of those again. So the counts are exact DISTINCT counts of event
-- ids (uniqExact states, AggregatingMergeTree): an event has one time, hence one bucket, and its copies
-- collapse into one. The other aggregates are idempotent too (distinct tracks, max confidence). Known limit:
-- an event re-matched to another dossier or watch list later counts under both.
-- Read with uniqExactMerge(...) GROUP BY (stats-query.ts).

CREATE TABLE IF NOT EXISTS event_stats_minute
(
    bucket DateTime('UTC') COMMENT 'start of the minute',
    dimension Enum8('camera' = 1, 'camera_group' = 2, 'watch_list' = 3, 'dossier' = 4),
    value String COMMENT 'camera id, camera group id, watch list id or dossier id',
    events AggregateFunction(uniqExact, String) COMMENT 'distinct event ids',
    matched_events AggregateFunction(uniqExactIf, String, UInt8) COMMENT 'distinct matched event ids',
    tracks AggregateFunction(uniqExact, String, String) COMMENT 'distinct (camera, track id)',
    max_confidence SimpleAggregateFunction(max, Float32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(bucket)
ORDER BY (dimension, value, bucket);

CREATE MATERIALIZED VIEW IF NOT EXISTS event_stats_minute_mv TO event_stats_minute AS
SELECT
    toStartOfMinute(toDateTime(ts, 'UTC')) AS bucket,
    CAST(dim.1, 'Enum8(\'camera\' = 1, \'camera_group\' = 2, \'watch_list\' = 3, \'dossier\' = 4)') AS dimension,
    dim.2 AS value,
    uniqExactState(id) AS events,
    uniqExactIfState(id, toUInt8(matched)) AS matched_events,
    uniqExactState(toString(camera), track_id) AS tracks,
    max(confidence) AS max_confidence
FROM face_events
ARRAY JOIN arrayConcat(
    [('camera', toString(camera))],
    if(camera_group = '', [], [('camera_group', toString(camera_group))]),
    arrayMap(w -> ('watch_list', toString(w)), arrayDistinct(watch_lists)),
    if(dossier = '', [], [('dossier', dossier)])
) AS dim
GROUP BY bucket, dimension, value;

CREATE TABLE IF NOT EXISTS event_stats_hour
(
    bucket DateTime('UTC') COMMENT 'start of the hour',
    dimension Enum8('camera' = 1, 'camera_group' = 2, 'watch_list' = 3, 'dossier' = 4),
    value String COMMENT 'camera id, camera group id, watch list id or dossier id',
    events AggregateFunction(uniqExact, String) COMMENT 'distinct event ids',
    matched_events AggregateFunction(uniqExactIf, String, UInt8) COMMENT 'distinct matched event ids',
    tracks AggregateFunction(uniqExact, String, String) COMMENT 'distinct (camera, track id)',
    max_confidence SimpleAggregateFunction(max, Float32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (dimension, value, bucket);

CREATE MATERIALIZED VIEW IF NOT EXISTS event_stats_hour_mv TO event_stats_hour AS
SELECT
    toStartOfHour(toDateTime(ts, 'UTC')) AS bucket,
    CAST(dim.1, 'Enum8(\'camera\' = 1, \'camera_group\' = 2, \'watch_list\' = 3, \'dossier\' = 4)') AS dimension,
    dim.2 AS value,
    uniqExactState(id) AS events,
    uniqExactIfState(id, toUInt8(matched)) AS matched_events,
    uniqExactState(toString(camera), track_id) AS tracks,
    max(confidence) AS max_confidence
FROM face_events
ARRAY JOIN arrayConcat(
    [('camera', toString(camera))],
    if(camera_group = '', [], [('camera_group', toString(camera_group))]),
    arrayMap(w -> ('watch_list', toString(w)), arrayDistinct(watch_lists)),
    if(dossier = '', [], [('dossier', dossier)])
) AS dim
GROUP BY bucket, dimension, value;

CREATE TABLE IF NOT EXISTS event_stats_day
(
    bucket DateTime('UTC') COMMENT 'start of the day',
    dimension Enum8('camera' = 1, 'camera_group' = 2, 'watch_list' = 3, 'dossier' = 4),
    value String COMMENT 'camera id, camera group id, watch list id or dossier id',
    events AggregateFunction(uniqExact, String) COMMENT 'distinct event ids',
    matched_events AggregateFunction(uniqExactIf, String, UInt8) COMMENT 'distinct matched event ids',
    tracks AggregateFunction(uniqExact, String, String) COMMENT 'distinct (camera, track id)',
    max_confidence SimpleAggregateFunction(max, Float32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(bucket)
ORDER BY (dimension, value, bucket);

CREATE MATERIALIZED VIEW IF NOT EXISTS event_stats_day_mv TO event_stats_day AS
SELECT
    toStartOfDay(toDateTime(ts, 'UTC')) AS bucket,
    CAST(dim.1, 'Enum8(\'camera\' = 1, \'camera_group\' = 2, \'watch_list\' = 3, \'dossier\' = 4)') AS dimension,
    dim.2 AS value,
    uniqExactState(id) AS events,
    uniqExactIfState(id, toUInt8(matched)) AS matched_events,
    uniqExactState(toString(camera), track_id) AS tracks,
    max(confidence) AS max_confidence
FROM face_events
ARRAY JOIN arrayConcat(
    [('camera', toString(camera))],
    if(camera_group = '', [], [('camera_group', toString(camera_group))]),
    arrayMap(w -> ('watch_list', toString(w)), arrayDistinct(watch_lists)),
    if(dossier = '', [], [('dossier', dossier)])
) AS dim
GROUP BY bucket, dimension, value;
