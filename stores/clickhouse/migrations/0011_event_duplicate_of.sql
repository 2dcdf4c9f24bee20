-- Camera-group event deduplication (FindFace's Deduplicate Events, docs/DEDUP.md): the kept event an event repeats,
-- decided by the episodes stage and carried by its change (EpisodeChange.duplicateOf). Nothing is deleted: a
-- duplicate stays stored and is hidden from listings, the live feed and webhooks unless asked for. Like the episode
-- link, the verdict may arrive before or after the event, so episode_events keeps it for an event written later.
-- Empty: kept, not deduplicated, or written before.
ALTER TABLE face_events
    ADD COLUMN IF NOT EXISTS duplicate_of String DEFAULT '' COMMENT 'the kept event this one repeats (camera group deduplication); empty when kept';
ALTER TABLE episode_events
    ADD COLUMN IF NOT EXISTS duplicate_of String DEFAULT '' COMMENT 'the kept event the linked event repeats; empty when kept';
