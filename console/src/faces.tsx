// Pictures of events and dossiers: the face crop, the full frame with the face box drawn, a dossier's photo — the
// API's image URLs (`thumbnail`, `fullframe`), fetched with the token into blob URLs (an <img src> cannot send the
// Authorization header, and the API takes no token in an image URL). Where the frame was not kept, the frame's
// outline with the face box stands in.
import { useEffect, useState } from 'preact/hooks';
import { blob, call, get, type Camera, type Dossier, type DossierFace, type DossierFaceAdded, type FaceEvent, type Page, type WatchList } from './api.ts';
import { ActionForm, attributes, can, ErrorBox, eventColour, percent, time, useGet, useMe } from './ui.tsx';

/** The frame (its aspect) with the face's box, in the list's colour. */
export function FrameBox({ e, colour, large = false }: { e: FaceEvent; colour: string; large?: boolean }) {
  const w = e.frame.width || 16;
  const h = e.frame.height || 9;
  return (
    <svg class={large ? 'frame large' : 'frame'} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`face at ${e.frame_coords_left},${e.frame_coords_top} in a ${w}×${h} frame`}>
      <rect width={w} height={h} class="frame-bg" />
      <rect
        x={e.frame_coords_left}
        y={e.frame_coords_top}
        width={Math.max(1, e.frame_coords_right - e.frame_coords_left)}
        height={Math.max(1, e.frame_coords_bottom - e.frame_coords_top)}
        fill="none"
        stroke={colour}
        stroke-width={Math.max(2, w / 160)}
      />
    </svg>
  );
}

/** An image the API serves (a URL on its objects, `/api/v1/…`) as a blob URL while shown; failed when it is not kept. */
export function useImage(url: string | null): { src: string | null; failed: boolean } {
  const [state, setState] = useState<{ src: string | null; failed: boolean }>({ src: null, failed: false });
  useEffect(() => {
    setState({ src: null, failed: false });
    if (url === null) return;
    let src: string | null = null;
    let live = true;
    // the browser's HTTP cache still serves repeats (the API marks images private, max-age)
    blob(url.replace(/^\/api\/v1/, '')).then(
      (b) => {
        src = URL.createObjectURL(b);
        if (live) setState({ src, failed: false });
        else URL.revokeObjectURL(src);
      },
      () => live && setState({ src: null, failed: true }),
    );
    return () => {
      live = false;
      if (src) URL.revokeObjectURL(src);
    };
  }, [url]);
  return state;
}

/** An image of the API, or `fallback` while there is none (not kept, not yet loaded). */
export function ApiImage({ url, alt, class: cls, fallback = null }: { url: string | null; alt: string; class?: string; fallback?: preact.ComponentChildren }) {
  const { src } = useImage(url);
  return src ? <img src={src} alt={alt} class={cls} /> : <>{fallback}</>;
}

/** The full frame of an event with its face box drawn over it; the frame's outline when the frame was not kept. */
function FullFrame({ e, colour }: { e: FaceEvent; colour: string }) {
  const { src } = useImage(e.fullframe);
  if (!src) return <FrameBox e={e} colour={colour} large />;
  return (
    <div class="stack fullframe">
      <img src={src} alt={`frame of event ${e.id}`} data-testid="fullframe" />
      <svg viewBox={`0 0 ${e.frame.width} ${e.frame.height}`} preserveAspectRatio="none">
        <rect
          x={e.frame_coords_left}
          y={e.frame_coords_top}
          width={e.frame_coords_right - e.frame_coords_left}
          height={e.frame_coords_bottom - e.frame_coords_top}
          fill="none"
          stroke={colour}
          stroke-width={Math.max(2, e.frame.width / 300)}
        />
      </svg>
    </div>
  );
}

/** The photo of a dossier's first face (what FindFace shows beside a match); nothing without one or without the right. */
export function DossierPhoto({ dossier }: { dossier: string | null }) {
  const faces = useRecord<Page<DossierFace>>(dossier === null ? null : `/dossier-faces?dossier=${dossier}&limit=1`);
  return <ApiImage url={faces?.results[0]?.thumbnail ?? null} alt="dossier photo" class="crop" />;
}

const records = new Map<string, Promise<unknown>>();

/** A record named by events (dossier, camera), read once per page load; null when unknown or not visible to the user. */
function useRecord<T>(path: string | null): T | null {
  const [record, setRecord] = useState<T | null>(null);
  useEffect(() => {
    if (path === null) return void setRecord(null);
    let p = records.get(path);
    if (!p) records.set(path, (p = get<T>(path).catch(() => null)));
    let live = true;
    void p.then((x) => live && setRecord(x as T | null));
    return () => {
      live = false;
    };
  }, [path]);
  return record;
}

export const useDossier = (id: string | null) => useRecord<Dossier>(id === null ? null : `/dossiers/${id}`);

/** An event's camera by name (events carry the camera's id), or the id when the user may not read cameras. */
function useCameraName(id: string): string {
  const me = useMe();
  return useRecord<Camera>(can(me, 'view_camera') && /^\d+$/.test(id) ? `/cameras/${id}` : null)?.name ?? id;
}

/** One event as a card: where the face is, time, camera, dossier, confidence, list colour, attributes. */
export function EventCard({ e, lists, onOpen, actions }: { e: FaceEvent; lists: ReadonlyMap<string, WatchList>; onOpen: (e: FaceEvent) => void; actions?: preact.ComponentChildren }) {
  const dossier = useDossier(e.matched_dossier);
  const camera = useCameraName(e.camera);
  const colour = eventColour(e, lists);
  const list = e.matched ? lists.get(e.matched_lists[0] ?? '') : undefined;
  return (
    <article class={e.acknowledged ? 'event acked' : 'event'} style={{ borderColor: colour }} data-testid="event" data-event-id={e.id}>
      <button class="open" onClick={() => onOpen(e)} title="Open the frame">
        <ApiImage url={e.thumbnail} alt="face" class="crop" fallback={<FrameBox e={e} colour={colour} />} />
        {e.matched && <DossierPhoto dossier={e.matched_dossier} />}
      </button>
      <div class="facts">
        <strong class="who">{e.matched ? (dossier?.name ?? `dossier ${e.matched_dossier}`) : 'Unmatched'}</strong>
        {list && (
          <span class="chip" style={{ borderColor: colour }}>
            {list.name}
          </span>
        )}
        {e.alert && <span class="chip alert">alert</span>}
        <span>{e.matched ? percent(e.confidence) : `best ${percent(e.confidence)}`}</span>
        <span>{time(e.created_date)}</span>
        <span>camera {camera}</span>
        <span class="muted">{attributes(e)}</span>
        {actions}
      </div>
    </article>
  );
}

/** The full frame of an event with its box, and everything the event says. */
export function EventDetail({ e, lists, onClose }: { e: FaceEvent; lists: ReadonlyMap<string, WatchList>; onClose: () => void }) {
  const dossier = useDossier(e.matched_dossier);
  const camera = useCameraName(e.camera);
  const me = useMe();
  return (
    <div class="modal" role="dialog" aria-label="Event" onClick={onClose}>
      <div class="panel" onClick={(x) => x.stopPropagation()}>
        <header>
          <h2>Event {e.id}</h2>
          <button onClick={onClose}>Close</button>
        </header>
        <FullFrame e={e} colour={eventColour(e, lists)} />
        <dl>
          <dt>Time</dt>
          <dd>{time(e.created_date)}</dd>
          <dt>Camera</dt>
          <dd>
            {camera} {e.camera_group !== null && `(group ${e.camera_group})`}
          </dd>
          <dt>Dossier</dt>
          <dd>{e.matched ? `${dossier?.name ?? e.matched_dossier} — ${percent(e.confidence)}` : 'no match'}</dd>
          <dt>Box</dt>
          <dd>
            {[e.frame_coords_left, e.frame_coords_top, e.frame_coords_right, e.frame_coords_bottom].map(Math.round).join(', ')} in {e.frame.width}×{e.frame.height}
          </dd>
          <dt>Quality</dt>
          <dd>{e.quality.toFixed(2)}</dd>
          <dt>Attributes</dt>
          <dd>{attributes(e) || '—'}</dd>
          <dt>Candidates</dt>
          <dd>{e.candidates.map((c) => `dossier ${c.dossier} ${percent(c.confidence)}`).join('; ') || '—'}</dd>
          <dt>Episode</dt>
          <dd>{e.episode ?? '—'}</dd>
          <dt>Acknowledged</dt>
          <dd>{e.acknowledged ? `by ${e.acknowledged_by ?? '?'} ${e.acknowledged_date ? time(e.acknowledged_date) : ''}` : 'no'}</dd>
        </dl>
        <p class="actions">
          <a href={`#/search?looks_like=event:${e.id}`} onClick={onClose}>
            Find this face in events and dossiers
          </a>
        </p>
        {can(me, 'add_dossierface') && <EnrolFromEvent e={e} />}
      </div>
    </div>
  );
}

/** FindFace's "add to dossier" from an event: the event's own face and vector (`create_from=event:<id>`). */
function EnrolFromEvent({ e }: { e: FaceEvent }) {
  const dossiers = useGet<Page<Dossier>>('/dossiers?limit=1000');
  const [dossier, setDossier] = useState('');
  const [added, setAdded] = useState<DossierFaceAdded | null>(null);
  return (
    <ActionForm submit="Add" run={async () => setAdded(await call<DossierFaceAdded>('POST', '/dossier-faces', { dossier: Number(dossier), create_from: `event:${e.id}` }))}>
      <select value={dossier} onChange={(x) => setDossier(x.currentTarget.value)} aria-label="Dossier to add the face to" required>
        <option value="">Add this face to dossier…</option>
        {dossiers.data?.results.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </select>
      {added && <span>Added, quality {added.quality.toFixed(2)}.</span>}
      <ErrorBox error={dossiers.error} />
    </ActionForm>
  );
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A photo the user picked (shown from their disk, never uploaded twice), with the face the API found boxed. */
export function PhotoPreview({ file, box, caption }: { file: File; box?: Box | null; caption?: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  useEffect(() => {
    const u = URL.createObjectURL(file);
    setUrl(u);
    setSize(null);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  if (!url) return null;
  return (
    <figure class="photo">
      <div class="stack">
        <img src={url} alt={file.name} onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
        {box && size && (
          <svg viewBox={`0 0 ${size.w} ${size.h}`} preserveAspectRatio="none">
            <rect x={box.left} y={box.top} width={box.right - box.left} height={box.bottom - box.top} fill="none" stroke="#ffd400" stroke-width={Math.max(2, size.w / 150)} />
          </svg>
        )}
      </div>
      <figcaption>{caption ?? file.name}</figcaption>
    </figure>
  );
}
