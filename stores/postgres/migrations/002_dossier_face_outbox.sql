-- The transactional outbox of what matchers hold (docs/STORES.md "Outbox", docs/KAFKA.md "dossiers"): every change
-- that alters which dossier faces a matcher must index, or what it indexes with them, leaves the id of each face
-- concerned in dossier_face_outbox, in the same transaction as the change, whoever writes it (API, import, psql).
-- The relay (enrolment/watchlist-sync/) reads the rows, publishes the faces' current state (an upsert, or a tombstone
-- for a face no matcher may hold), and deletes the rows only once the publish is acknowledged. A row names a face,
-- not what happened to it: the relay always publishes what is true when it reads, so rows may repeat or arrive in any
-- order. NOTIFY dossier_face_outbox wakes the relay at commit; it also polls, in case a notification is missed.

CREATE TABLE dossier_face_outbox (
  -- bigint: watch-list switches queue one row per face, so the sequence runs far faster than faces are enrolled
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- no foreign key: the row of a deleted face is what tells matchers to drop it
  dossier_face_id integer NOT NULL,
  created_date    timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION notify_dossier_face_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- delivered at commit, once per transaction however many rows it queued (equal notifications are folded)
  PERFORM pg_notify('dossier_face_outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER dossier_face_outbox_notify AFTER INSERT ON dossier_face_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION notify_dossier_face_outbox();

-- A face enrolled, deleted (also by its dossier's deletion: the cascade fires this) or changed (moved to another
-- dossier by a merge, its photo replaced).
CREATE FUNCTION queue_dossier_face() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- OLD is null on INSERT, NEW on DELETE
  INSERT INTO dossier_face_outbox (dossier_face_id)
    SELECT DISTINCT id FROM (VALUES (OLD.id), (NEW.id)) AS changed (id) WHERE id IS NOT NULL;
  RETURN NULL;
END
$$;
CREATE TRIGGER dossier_faces_outbox AFTER INSERT OR UPDATE OR DELETE ON dossier_faces
  FOR EACH ROW EXECUTE FUNCTION queue_dossier_face();

-- A dossier (de)activated or renamed: all its faces.
CREATE FUNCTION queue_faces_of_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dossier_face_outbox (dossier_face_id) SELECT id FROM dossier_faces WHERE dossier_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER dossiers_outbox AFTER UPDATE OF active, name ON dossiers
  FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active OR OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION queue_faces_of_dossier();

-- A dossier put on or taken off a watch list (also when the list is deleted: the cascade fires this): its faces.
CREATE FUNCTION queue_faces_of_dossier_list() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dossier_face_outbox (dossier_face_id) SELECT id FROM dossier_faces WHERE dossier_id IN (OLD.dossier_id, NEW.dossier_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER dossier_watch_lists_outbox AFTER INSERT OR UPDATE OR DELETE ON dossier_watch_lists
  FOR EACH ROW EXECUTE FUNCTION queue_faces_of_dossier_list();

-- A watch list deactivated or reactivated: the faces of every dossier on it.
CREATE FUNCTION queue_faces_of_watch_list() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dossier_face_outbox (dossier_face_id)
    SELECT f.id FROM dossier_faces f JOIN dossier_watch_lists l ON l.dossier_id = f.dossier_id WHERE l.watch_list_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER watch_lists_outbox AFTER UPDATE OF active ON watch_lists
  FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active)
  EXECUTE FUNCTION queue_faces_of_watch_list();

-- Faces enrolled before this migration reach matchers too.
INSERT INTO dossier_face_outbox (dossier_face_id) SELECT id FROM dossier_faces;
