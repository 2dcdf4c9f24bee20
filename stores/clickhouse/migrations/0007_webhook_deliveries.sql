-- Webhook deliveries are logged per batch and attempt (pipelines/notify/): a webhook receives JSON arrays of up to
-- its max batch size, so a row names the batch (id), the type of its objects (object_kind: events | episodes |
-- counters), how many it held and which, and what became of the attempt. object_id keeps the batch's first object.
-- status: delivered (2xx), retrying (failed, another attempt follows), failed (the last attempt failed: the batch
-- is given up), dropped (never sent: pushed out of a full queue, the webhook deactivated or deleted, or shutdown).
-- transport: http (a webhook) or mqtt (the MQTT output, webhook_id 'mqtt').
ALTER TABLE webhook_deliveries
    ADD COLUMN IF NOT EXISTS count UInt32 DEFAULT 1 COMMENT 'objects in the batch',
    ADD COLUMN IF NOT EXISTS object_ids Array(String) COMMENT 'ids of the batch''s objects',
    ADD COLUMN IF NOT EXISTS status LowCardinality(String) DEFAULT if(ok, 'delivered', 'failed') COMMENT 'delivered | retrying | failed | dropped',
    ADD COLUMN IF NOT EXISTS transport LowCardinality(String) DEFAULT 'http' COMMENT 'http | mqtt';
