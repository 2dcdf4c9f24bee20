-- What matchers decide with beyond the faces (docs/STORES.md "Outbox", pipelines/match/decide.ts): each watch list's
-- confidence_threshold and camera groups travel in its faces' `dossiers` records, and a camera's threshold (else its
-- group's) in its `cameras` job. So a change to any of them queues what carries it, as 002 and 003 do for the rest.

-- A watch list's threshold changed: the faces of every dossier on it.
CREATE TRIGGER watch_lists_threshold_outbox AFTER UPDATE OF confidence_threshold ON watch_lists
  FOR EACH ROW WHEN (OLD.confidence_threshold IS DISTINCT FROM NEW.confidence_threshold)
  EXECUTE FUNCTION queue_faces_of_watch_list();

-- A watch list's camera groups set or cleared (also when a group is deleted: the cascade fires this): its faces.
CREATE FUNCTION queue_faces_of_watch_list_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- OLD is null on INSERT, NEW on DELETE
  INSERT INTO dossier_face_outbox (dossier_face_id)
    SELECT f.id FROM dossier_faces f JOIN dossier_watch_lists l ON l.dossier_id = f.dossier_id
    WHERE l.watch_list_id IN (OLD.watch_list_id, NEW.watch_list_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER watch_list_camera_groups_outbox AFTER INSERT OR UPDATE OR DELETE ON watch_list_camera_groups
  FOR EACH ROW EXECUTE FUNCTION queue_faces_of_watch_list_group();

-- A camera group's threshold changed: its cameras' jobs carry it (a camera's own threshold wins over it).
CREATE TRIGGER camera_groups_threshold_outbox AFTER UPDATE OF confidence_threshold ON camera_groups
  FOR EACH ROW WHEN (OLD.confidence_threshold IS DISTINCT FROM NEW.confidence_threshold)
  EXECUTE FUNCTION queue_cameras_of_group();

-- Faces and cameras published before this migration carry no thresholds: publish them again.
INSERT INTO dossier_face_outbox (dossier_face_id) SELECT id FROM dossier_faces;
INSERT INTO camera_outbox (camera_id) SELECT id FROM cameras;
