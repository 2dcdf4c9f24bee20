-- FindFace's camera restart (POST /api/v1/cameras/{id}/restart): a counter that is part of the camera's job, so raising
-- it restarts the camera wherever it runs — the camera manager of `serve` compares it, and the UPDATE queues the
-- camera in camera_outbox (003), whose new job, with the new count, makes the ingest worker running it restart it.
ALTER TABLE cameras ADD COLUMN restarts integer NOT NULL DEFAULT 0;
