// The face a search looks for (FindFace's looks_like): an uploaded photo's biggest face, a stored event's face
// (`event:<id>`) or a dossier face (`dossierface:<id>`), as its vector and the model that made it.
import type { ClickHouseClient } from '@clickhouse/client';
import { queryEvents, type EventView } from '../../stores/clickhouse/events-query.ts';
import { getDossier } from '../../stores/postgres/repositories/dossiers.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { getDossierFace } from '../../stores/postgres/repositories/dossier-faces.ts';
import type { DetectedFace } from '../../schemas/records.ts';
import type { PhotoLimits } from '../../models/image/read-photo.ts';
import { eventVisibility, requireDossierAccess, type Principal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import type { FaceService } from '../photos/face-service.ts';
import { decodeUpload } from '../photos/decode-upload.ts';
import type { UploadedFile } from '../plugins/multipart.ts';

export interface Probe {
  readonly vector: Float32Array;
  readonly modelId: string;
  readonly source: 'photo' | 'event' | 'dossierface';
  /** the event or dossier face id; null for a photo */
  readonly id: string | null;
  /** the photo's face searched for, and how many the photo has; null for a stored face */
  readonly face: DetectedFace | null;
  readonly facesInPhoto: number | null;
}

export async function probeOfPhoto(faces: FaceService, limits: PhotoLimits, file: UploadedFile): Promise<Probe> {
  const image = await decodeUpload(file, limits);
  const p = await faces.probe(image, file.field);
  return { vector: p.vector, modelId: p.modelId, source: 'photo', id: null, face: p.face, facesInPhoto: p.faces };
}

/** The event `id` with its embedding, if `reader` may see it (FindFace's rule, as GET /events/:id); else undefined. */
export async function visibleEvent(clickhouse: ClickHouseClient, id: string, reader: Principal): Promise<EventView | undefined> {
  const visibleTo = eventVisibility(reader);
  const filter = { ids: [id], ...(visibleTo ? { visibleTo } : {}) };
  return (await queryEvents(clickhouse, { filter, limit: 1, withEmbedding: true })).events[0];
}

/** The stored face `looksLike` names; one `reader` may not see is answered like one that does not exist (404). */
export async function probeOfReference(stores: { readonly clickhouse: ClickHouseClient; readonly db: Db }, looksLike: string, reader: Principal): Promise<Probe> {
  const [kind, id = ''] = looksLike.split(':', 2) as [string, string | undefined];
  const missing = () => new ApiError('FS_ERR_NOT_FOUND', `looks_like: ${kind} ${id} not found`, 'looks_like');
  if (kind === 'event') {
    const event = await visibleEvent(stores.clickhouse, id, reader);
    if (!event?.embedding?.length) throw missing();
    return { vector: Float32Array.from(event.embedding), modelId: event.modelId, source: 'event', id, face: null, facesInPhoto: null };
  }
  if (kind === 'dossierface') {
    if (!/^\d{1,9}$/.test(id)) throw new ApiError('FS_ERR_VALIDATION', 'looks_like: a dossier face id is an integer', 'looks_like');
    const face = await getDossierFace(stores.db, Number(id));
    const dossier = face && (await getDossier(stores.db, face.dossier_id));
    if (!face || !dossier) throw missing();
    try {
      requireDossierAccess(reader, dossier, 'view');
    } catch (err) {
      throw err instanceof ApiError && err.code === 'FS_ERR_NOT_FOUND' ? missing() : err;
    }
    return { vector: face.embedding, modelId: face.model_id, source: 'dossierface', id, face: null, facesInPhoto: null };
  }
  throw new ApiError('FS_ERR_VALIDATION', 'looks_like: expected event:<id> or dossierface:<id>', 'looks_like');
}
