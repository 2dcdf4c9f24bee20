-- An event's alert flag (FaceEvent.alert): whether it is an alert under its camera's alert mode (DeGirum AlertMode:
-- none, on_unknowns, on_knowns, on_all; pipelines/match/alert.ts), decided by the matcher with the camera's
-- settings of the moment, so the live feed and queries filter on one column. Events written before are not alerts.
ALTER TABLE face_events
    ADD COLUMN IF NOT EXISTS alert Bool DEFAULT false COMMENT 'an alert under the camera alert mode when the event was matched' AFTER confidence;
