-- camera_stats takes FindFace's camera health (pipelines/cameras/health.ts, the CameraStatus record): its colour,
-- the job's state and counters, sampled every few seconds and on each change of colour by whoever runs the camera
-- (serve, a distributed ingest worker). The table was created empty in 0003 with other counters; nothing wrote
-- them, so they are dropped. ts (seconds: partitions and TTL) stays; `at` holds the sample's millisecond and joins
-- the key, so changes within a second are kept apart (the same sample written twice still replaces itself).
ALTER TABLE camera_stats
    DROP COLUMN IF EXISTS period_s,
    DROP COLUMN IF EXISTS frames_decoded,
    DROP COLUMN IF EXISTS faces_detected,
    DROP COLUMN IF EXISTS posts,
    DROP COLUMN IF EXISTS events,
    DROP COLUMN IF EXISTS fps,
    DROP COLUMN IF EXISTS lag_ms;

ALTER TABLE camera_stats
    ADD COLUMN IF NOT EXISTS state LowCardinality(String) COMMENT 'starting | running | retrying | finished | disabled' AFTER status,
    ADD COLUMN IF NOT EXISTS since DateTime64(3, 'UTC') COMMENT 'the status has been what it is since' AFTER state,
    ADD COLUMN IF NOT EXISTS processing_fps Float32 AFTER since,
    ADD COLUMN IF NOT EXISTS frames_imotion_skipped UInt64 AFTER frames_dropped,
    ADD COLUMN IF NOT EXISTS faces_posted UInt64 AFTER frames_imotion_skipped,
    ADD COLUMN IF NOT EXISTS faces_failed UInt64 AFTER faces_posted,
    ADD COLUMN IF NOT EXISTS decoding_soft_errors UInt64 AFTER faces_failed,
    ADD COLUMN IF NOT EXISTS job_starts UInt64 AFTER decoding_soft_errors,
    ADD COLUMN IF NOT EXISTS worker LowCardinality(String) COMMENT 'the process that runs the camera' AFTER job_starts,
    COMMENT COLUMN ts 'the second of the sample (partitions, TTL)',
    COMMENT COLUMN status 'green | yellow | red | grey (FindFace camera colours)',
    COMMENT COLUMN error 'the last error (source failure, or stage: reason of a failed record); empty when none';

ALTER TABLE camera_stats
    ADD COLUMN IF NOT EXISTS at DateTime64(3, 'UTC') COMMENT 'when the sample was taken' AFTER ts,
    MODIFY ORDER BY (camera, ts, at);
