// Search by photo (POST /search/events|dossiers) or by a stored face (GET …?looks_like=event:<id>) over event history
// or dossiers, with filters (cameras, camera group, time for events); verify two faces (POST /verify).
import { useEffect, useState } from 'preact/hooks';
import { call, form, get, query, type Camera, type CameraGroup, type DossierSearch, type EventSearch, type FaceEvent, type Me, type Page, type Verify } from '../api.ts';
import { EventCard, EventDetail, PhotoPreview } from '../faces.tsx';
import { can, DropZone, ErrorBox, iso, percent, routeParam, Section, useAction, useGet, useMe, useWatchLists } from '../ui.tsx';

type Over = 'dossiers' | 'events';
/** the face searched for: a stored one (an event's "find this face") or a dropped photo */
type Face = { looksLike: string } | { photo: File };

export function Search({ me }: { me: Me }) {
  const overs = (['dossiers', 'events'] as const).filter((o) => can(me, o === 'events' ? 'view_listevent' : 'view_dossier'));
  return (
    <div class="columns">
      {overs.length > 0 && <FaceSearch overs={overs} />}
      <VerifyPanel />
    </div>
  );
}

function FaceSearch({ overs }: { overs: readonly Over[] }) {
  const [photo, setPhoto] = useState<File | null>(null);
  const [over, setOver] = useState<Over>(overs[0]!);
  const [threshold, setThreshold] = useState('');
  const [cameras, setCameras] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [group, setGroup] = useState('');
  const me = useMe();
  const groups = useGet<Page<CameraGroup>>(can(me, 'view_cameragroup') ? '/camera-groups?limit=1000' : null);
  const cameraList = useGet<Page<Camera>>(can(me, 'view_camera') ? '/cameras?limit=1000' : null);
  const [answer, setAnswer] = useState<EventSearch | DossierSearch | null>(null);
  const [open, setOpen] = useState<FaceEvent | null>(null);
  const lists = useWatchLists();
  const listById = lists.byId;
  const action = useAction();
  // a stored face to look for (an event's "find this face"): searched as soon as the screen opens
  const [reference, setReference] = useState(routeParam('looks_like'));
  const search = (face: Face | null = reference ? { looksLike: reference } : photo ? { photo } : null) => {
    if (!face) return;
    void action.run(async () => {
      setAnswer(null);
      // the same filters for both ways of giving the face
      const filters = {
        threshold: threshold || undefined,
        ...(over === 'events' ? { cameras: cameras || undefined, camera_groups: group || undefined, created_date_gte: iso(from), created_date_lte: iso(to) } : {}),
      };
      setAnswer(
        'looksLike' in face
          ? await get<EventSearch | DossierSearch>(`/search/${over}${query({ looks_like: face.looksLike, ...filters })}`)
          : await call<EventSearch | DossierSearch>('POST', `/search/${over}`, form({ photo: face.photo, ...filters })),
      );
    });
  };
  useEffect(() => search(), [reference, over]);
  return (
    <Section title="Search by photo">
      <form
        class="settings"
        onSubmit={(e) => {
          e.preventDefault();
          search();
        }}
      >
        <label>
          Over{' '}
          <select value={over} onChange={(e) => setOver(e.currentTarget.value as Over)} aria-label="Search over">
            {overs.map((o) => (
              <option value={o} key={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          Threshold <input type="number" min="-1" max="1" step="0.01" placeholder="default" value={threshold} onInput={(e) => setThreshold(e.currentTarget.value)} />
        </label>
        {over === 'events' && (
          <>
            {cameraList.data && (
              <select value={cameras} onChange={(e) => setCameras(e.currentTarget.value)} aria-label="Camera">
                <option value="">all cameras</option>
                {cameraList.data.results.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
            <label>
              Since <input type="datetime-local" aria-label="Since" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            </label>
            <label>
              Until <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
            </label>
            {groups.data && (
              <select value={group} onChange={(e) => setGroup(e.currentTarget.value)} aria-label="Camera group">
                <option value="">all camera groups</option>
                {groups.data.results.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            )}
          </>
        )}
        <button disabled={(!photo && !reference) || action.busy}>Search</button>
      </form>
      <DropZone label="Drop a photo to search for its face (or click to choose)" onFiles={([f]) => {
          setPhoto(f!);
          // leaving a stored face: the effect searches for the photo; otherwise search now
          if (reference) setReference(null);
          else search({ photo: f! });
        }} testId="search-drop" />
      {reference && <p>Looking for the face of {reference.replace(':', ' ')}.</p>}
      {photo && !reference && <PhotoPreview file={photo} box={answer?.query.bbox} caption={answer ? `${photo.name}: ${answer.query.faces_in_photo ?? 1} face(s), the biggest searched` : photo.name} />}
      <ErrorBox error={action.error} />
      {action.busy && <p class="muted">Searching…</p>}
      {answer && (
        <>
          <p data-testid="search-summary">
            {answer.results.length} result(s) at or above {answer.threshold.toFixed(2)}
          </p>
          <div class="grid" data-testid="search-results">
            {answer.results.map((r) =>
              'event' in r ? (
                <EventCard key={r.event.id} e={r.event} lists={listById} onOpen={setOpen} actions={<strong>{percent(r.confidence)}</strong>} />
              ) : (
                <article class="event" key={r.dossier.id} data-testid="dossier-result" style={{ borderColor: `#${listById.get(String(r.dossier.watch_list_ids[0]))?.color ?? '9e9e9e'}` }}>
                  <div class="facts">
                    <strong class="who">{r.dossier.name}</strong>
                    <strong>{percent(r.confidence)}</strong>
                    <span class="muted">face {r.dossier_face}</span>
                    {r.dossier.watch_list_ids.map((id) => {
                      const l = listById.get(String(id));
                      return (
                        l && (
                          <span class="chip" key={id} style={{ borderColor: `#${l.color}` }}>
                            {l.name}
                          </span>
                        )
                      );
                    })}
                  </div>
                </article>
              ),
            )}
          </div>
        </>
      )}
      {open && <EventDetail e={open} lists={listById} onClose={() => setOpen(null)} />}
    </Section>
  );
}

function VerifyPanel() {
  const [a, setA] = useState<File | null>(null);
  const [b, setB] = useState<File | null>(null);
  const [result, setResult] = useState<Verify | null>(null);
  const action = useAction();
  const pick = (which: 1 | 2) => (files: File[]) => {
    (which === 1 ? setA : setB)(files[0]!);
    setResult(null);
  };
  return (
    <Section title="Verify two faces">
      <div class="pair">
        <div>
          <DropZone label="First photo" onFiles={pick(1)} testId="verify-1" />
          {a && <PhotoPreview file={a} box={result?.face1.bbox} />}
        </div>
        <div>
          <DropZone label="Second photo" onFiles={pick(2)} testId="verify-2" />
          {b && <PhotoPreview file={b} box={result?.face2.bbox} />}
        </div>
      </div>
      <button disabled={!a || !b || action.busy} onClick={() => void action.run(async () => setResult(await call<Verify>('POST', '/verify', form({ face1: a!, face2: b! }))))}>
        Compare
      </button>
      <ErrorBox error={action.error} />
      {result && (
        <p class={result.same_person ? 'verdict same' : 'verdict'} data-testid="verify-result">
          {result.same_person ? 'Same person' : 'Different people'}: similarity {percent(result.confidence)} (threshold {percent(result.threshold)})
        </p>
      )}
    </Section>
  );
}
