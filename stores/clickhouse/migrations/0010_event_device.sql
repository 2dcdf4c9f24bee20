-- What an edge device said about a face it pushed (FacePost.device, Avro DeviceAttributes: pipelines/viewtron),
-- as it said it, beside facestream's own attributes (gender, age, … read from the same crop). Empty for faces
-- facestream found in video, and for events written before; device_vendor empty means no device attributes.
ALTER TABLE face_events
    ADD COLUMN IF NOT EXISTS device_vendor LowCardinality(String) DEFAULT '' COMMENT 'protocol of the push (viewtron); empty for faces found in video',
    ADD COLUMN IF NOT EXISTS device_event_type LowCardinality(String) DEFAULT '' COMMENT 'the device event type, e.g. VFD, VFD_MATCH, videoFaceDetect',
    ADD COLUMN IF NOT EXISTS device_name String DEFAULT '' COMMENT 'the device own name (an NVR: the NVR name); empty when not sent',
    ADD COLUMN IF NOT EXISTS device_target_id String DEFAULT '' COMMENT 'the device target (track) id; empty when not sent',
    ADD COLUMN IF NOT EXISTS device_age LowCardinality(String) DEFAULT '' COMMENT 'age category as sent (e.g. youth, middleAged); empty when not sent',
    ADD COLUMN IF NOT EXISTS device_sex LowCardinality(String) DEFAULT '' COMMENT 'sex as sent (male, female, unknown); empty when not sent',
    ADD COLUMN IF NOT EXISTS device_glasses LowCardinality(String) DEFAULT '' COMMENT 'glasses as sent (yes, no, unknown); empty when not sent',
    ADD COLUMN IF NOT EXISTS device_mask LowCardinality(String) DEFAULT '' COMMENT 'mask as sent (yes, no, unknown); empty when not sent';
