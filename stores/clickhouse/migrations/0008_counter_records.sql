-- Counter records as the counters stage writes them (pipelines/counters, schemas/avro/CounterRecord.avsc): the
-- table of 0003 plus the counter's name, the counted frame's seq and size, and the counted faces' boxes. The id is
-- deterministic per counter, camera and interval slot, so a repeated write replaces (read with FINAL). TTL: retention.ts.
ALTER TABLE counter_records ADD COLUMN IF NOT EXISTS counter_name String AFTER counter_id;
ALTER TABLE counter_records ADD COLUMN IF NOT EXISTS seq UInt64 AFTER ts;
ALTER TABLE counter_records ADD COLUMN IF NOT EXISTS frame_width UInt32 AFTER frame_ref;
ALTER TABLE counter_records ADD COLUMN IF NOT EXISTS frame_height UInt32 AFTER frame_width;
ALTER TABLE counter_records ADD COLUMN IF NOT EXISTS faces_bbox Array(Array(Float32)) COMMENT '[x1, y1, x2, y2] per counted face, frame pixels' AFTER faces_count;
