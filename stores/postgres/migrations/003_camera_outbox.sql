-- The transactional outbox of camera jobs (docs/KAFKA.md "cameras", docs/STORES.md "Outbox"): every change that
-- alters what an ingest worker must run for a camera leaves the camera's id in camera_outbox, in the same
-- transaction as the change, whoever writes it (API, psql). The relay (pipelines/cameras/publish/, the dossiers'
-- relay machinery) reads the rows, publishes each camera's current job on the compacted `cameras` topic (a tombstone
-- for a deleted camera) and deletes the rows only once the publish is acknowledged. As for dossier faces, a row
-- names a camera, not what happened to it.

CREATE TABLE camera_outbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- no foreign key: the row of a deleted camera is what tells its worker to stop it
  camera_id    integer NOT NULL,
  created_date timestamptz NOT NULL DEFAULT now()
);

-- A job's version: taken by the relay as it reads the camera's state under its lock, so versions rise in the order
-- the jobs are published (an outbox row id would not: ids are handed out before commit, in another order).
CREATE SEQUENCE camera_job_version AS bigint;

CREATE FUNCTION notify_camera_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('camera_outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER camera_outbox_notify AFTER INSERT ON camera_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION notify_camera_outbox();

-- A camera created, changed (URL, settings, active, group, name …) or deleted. An UPDATE that changes nothing still
-- queues it: harmless, the same job again, which a worker running it ignores.
CREATE FUNCTION queue_camera() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO camera_outbox (camera_id)
    SELECT DISTINCT id FROM (VALUES (OLD.id), (NEW.id)) AS changed (id) WHERE id IS NOT NULL;
  RETURN NULL;
END
$$;
CREATE TRIGGER cameras_outbox AFTER INSERT OR UPDATE OR DELETE ON cameras
  FOR EACH ROW EXECUTE FUNCTION queue_camera();

-- A camera group (de)activated: its cameras' jobs are enabled only while their group is active too.
CREATE FUNCTION queue_cameras_of_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO camera_outbox (camera_id) SELECT id FROM cameras WHERE camera_group_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER camera_groups_outbox AFTER UPDATE OF active ON camera_groups
  FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active)
  EXECUTE FUNCTION queue_cameras_of_group();

-- Cameras created before this migration reach the workers too.
INSERT INTO camera_outbox (camera_id) SELECT id FROM cameras;
