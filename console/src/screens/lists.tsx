// Watch lists and dossiers: lists with colour, threshold and sound; a list's dossiers; a dossier's faces, and
// enrolment by dropping photos (POST /dossier-faces), each refusal said in words (not an image, no face, too large …).
import { useState } from 'preact/hooks';
import { call, form, query, type Dossier, type DossierFace, type DossierFaceAdded, type FaceEvent, type Me, type Page, type WatchList } from '../api.ts';
import { ApiImage, EventCard, EventDetail, PhotoPreview } from '../faces.tsx';
import { ActionForm, can, canChangeList, CreateByName, DropZone, ErrorBox, errorText, percent, Section, time, useAction, useGet, useWatchLists } from '../ui.tsx';

export function Lists({ me }: { me: Me }) {
  const lists = useWatchLists();
  const [listId, setListId] = useState<number | null>(null);
  const [dossierId, setDossierId] = useState<number | null>(null);
  const list = lists.data?.results.find((l) => l.id === listId);
  return (
    <div class="columns">
      <Section title="Watch lists">
        <ErrorBox error={lists.error} />
        <ul class="pick" data-testid="watch-lists">
          {lists.data?.results.map((l) => (
            <li key={l.id} class={l.id === listId ? 'active' : ''}>
              <button onClick={() => (setListId(l.id), setDossierId(null))}>
                <span class="swatch" style={{ background: `#${l.color}` }} /> {l.name}
                {l.notify && <span title="sound alert"> ♪</span>}
              </button>
            </li>
          ))}
        </ul>
        {can(me, 'add_dossierlist') && <CreateByName<WatchList> path="/watch-lists" submit="Create" label="New watch list name" placeholder="New watch list" onDone={(l) => (lists.reload(), setListId(l.id))} />}
      </Section>
      {list && <ListDetail key={list.id} me={me} list={list} onChanged={lists.reload} dossierId={dossierId} onDossier={setDossierId} />}
      {dossierId !== null && list && <DossierDetail key={dossierId} me={me} id={dossierId} listId={list.id} />}
    </div>
  );
}


function ListDetail({ me, list, onChanged, dossierId, onDossier }: { me: Me; list: WatchList; onChanged: () => void; dossierId: number | null; onDossier: (id: number) => void }) {
  const mayChange = list.builtin ? me.administrator : canChangeList(me, list.id, 'change_dossierlist');
  const [colour, setColour] = useState(`#${list.color}`);
  const [threshold, setThreshold] = useState(list.confidence_threshold === null ? '' : String(list.confidence_threshold));
  const [notify, setNotify] = useState(list.notify);
  const dossiers = useGet<Page<Dossier>>(list.builtin ? null : `/dossiers${query({ watch_list: list.id, limit: 1000 })}`);
  return (
    <Section title={list.name}>
      <ActionForm
        class="settings"
        {...(mayChange ? { submit: 'Save' } : {})}
        run={async () => {
          await call('PATCH', `/watch-lists/${list.id}`, { color: colour.slice(1).toLowerCase(), notify, confidence_threshold: threshold === '' ? null : Number(threshold) });
          onChanged();
        }}
      >
        <label>
          Colour <input type="color" value={colour} disabled={!mayChange} onInput={(e) => setColour(e.currentTarget.value)} />
        </label>
        <label>
          Threshold{' '}
          <input type="number" min="0" max="1" step="0.01" placeholder="default" value={threshold} disabled={!mayChange} onInput={(e) => setThreshold(e.currentTarget.value)} />
        </label>
        <label>
          <input type="checkbox" checked={notify} disabled={!mayChange} onChange={(e) => setNotify(e.currentTarget.checked)} /> Sound alert
        </label>
      </ActionForm>
      {list.builtin ? (
        <p class="muted">The Unmatched list holds no dossiers: it stands for faces no dossier matched.</p>
      ) : (
        <>
          <ErrorBox error={dossiers.error} />
          <ul class="pick" data-testid="dossiers">
            {dossiers.data?.results.map((d) => (
              <li key={d.id} class={d.id === dossierId ? 'active' : ''}>
                <button onClick={() => onDossier(d.id)}>
                  {d.name} {!d.active && <span class="muted">(inactive)</span>}
                </button>
              </li>
            ))}
          </ul>
          {dossiers.data?.results.length === 0 && <p class="muted">No dossiers on this list.</p>}
          {can(me, 'add_dossier') && mayChange && (
            <CreateByName<Dossier>
              path="/dossiers"
              extra={{ watch_list_ids: [list.id] }}
              submit="Add dossier"
              label="New dossier name"
              placeholder="New dossier"
              onDone={(d) => {
                dossiers.reload();
                onDossier(d.id);
              }}
            />
          )}
          {can(me, 'add_dossier') && can(me, 'add_dossierface') && mayChange && <BulkEnrol listId={list.id} onDone={dossiers.reload} />}
        </>
      )}
    </Section>
  );
}

interface Upload {
  file: File;
  result?: DossierFaceAdded;
  error?: string;
}

/** One photo enrolled into a dossier (POST /dossier-faces), its outcome kept to show. */
async function enrolPhoto(file: File, dossier: number): Promise<Upload> {
  try {
    return { file, result: await call<DossierFaceAdded>('POST', '/dossier-faces', form({ dossier, source_photo: file })) };
  } catch (err) {
    return { file, error: errorText(err) };
  }
}

/** What became of each photo: the face found boxed with its quality and look-alike dossiers, or the refusal. */
function Uploads({ uploads }: { uploads: readonly Upload[] }) {
  return (
    <div class="uploads">
      {uploads.map((u, i) => (
        <div key={i} class={u.error ? 'upload failed' : 'upload'} data-testid="upload">
          {u.result && <PhotoPreview file={u.file} box={u.result.bbox} />}
          {u.error ? (
            <p class="error">
              {u.file.name}: {u.error}
            </p>
          ) : (
            <p>
              Enrolled, quality {u.result!.quality.toFixed(2)}.
              {u.result!.duplicates.map((d) => ` Also like dossier “${d.name}” (${percent(d.confidence)}).`)}
            </p>
          )}
        </div>
      ))}
    </div>
  );
}

/** FindFace's batch upload onto a list: a dossier per photo, named after the file; a photo refused leaves no dossier. */
function BulkEnrol({ listId, onDone }: { listId: number; onDone: () => void }) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const enrol = async (files: File[]) => {
    for (const file of files) {
      let u: Upload;
      try {
        const d = await call<Dossier>('POST', '/dossiers', { name: file.name.replace(/\.[^.]*$/, ''), watch_list_ids: [listId] });
        u = await enrolPhoto(file, d.id);
        if (u.error) await call('DELETE', `/dossiers/${d.id}`);
      } catch (err) {
        u = { file, error: errorText(err) };
      }
      setUploads((cur) => [u, ...cur]);
    }
    onDone();
  };
  return (
    <>
      <DropZone label="Drop photos here: one new dossier per photo, named after the file" multiple onFiles={(f) => void enrol(f)} testId="bulk-drop" />
      <Uploads uploads={uploads} />
    </>
  );
}

function DossierDetail({ me, id, listId }: { me: Me; id: number; listId: number }) {
  const faces = useGet<Page<DossierFace>>(`/dossier-faces${query({ dossier: id, limit: 1000 })}`);
  const dossier = useGet<Dossier>(`/dossiers/${id}`);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const mayEnrol = can(me, 'add_dossierface') && canChangeList(me, listId, 'change_dossier');
  const mayDelete = can(me, 'delete_dossierface') && canChangeList(me, listId, 'change_dossier');
  const remove = useAction();
  const deleteFace = (f: DossierFace) =>
    remove.run(async () => {
      await call('DELETE', `/dossier-faces/${f.id}`);
      faces.reload();
    });
  const enrol = async (files: File[]) => {
    for (const file of files) {
      const u = await enrolPhoto(file, id);
      setUploads((cur) => [u, ...cur]);
    }
    faces.reload();
  };
  return (
    <Section title={dossier.data?.name ?? `Dossier ${id}`}>
      <ErrorBox error={dossier.error ?? faces.error ?? remove.error} />
      {dossier.data?.comment && <p>{dossier.data.comment}</p>}
      <table data-testid="faces">
        <thead>
          <tr>
            <th />
            <th>Photo</th>
            <th>Quality</th>
            <th>Face box</th>
            <th>Added</th>
          </tr>
        </thead>
        <tbody>
          {faces.data?.results.map((f) => (
            <tr key={f.id}>
              <td>
                <ApiImage url={f.thumbnail} alt={`face from ${f.source_photo_name}`} class="crop" />
              </td>
              <td>{f.source_photo_name}</td>
              <td>{f.quality.toFixed(2)}</td>
              <td>{[f.bbox.left, f.bbox.top, f.bbox.right, f.bbox.bottom].map(Math.round).join(', ')}</td>
              <td>{time(f.created_date)}</td>
              <td>
                <a href={`#/search?looks_like=dossierface:${f.id}`}>Find</a>
              </td>
              {mayDelete && (
                <td>
                  <button onClick={() => confirm(`Delete the face from ${f.source_photo_name}?`) && void deleteFace(f)} disabled={remove.busy}>
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {faces.data?.results.length === 0 && <p class="muted">No face enrolled yet.</p>}
      {mayEnrol && <DropZone label="Drop photos here to enrol them (or click to choose)" multiple onFiles={(f) => void enrol(f)} testId="enrol-drop" />}
      <Uploads uploads={uploads} />
      {can(me, 'view_listevent') && <RecentEvents dossier={id} />}
    </Section>
  );
}

/** The dossier's latest matched events (GET /events?matched_dossier=). */
function RecentEvents({ dossier }: { dossier: number }) {
  const events = useGet<Page<FaceEvent>>(`/events${query({ matched_dossier: dossier, limit: 12 })}`);
  const lists = useWatchLists();
  const listById = lists.byId;
  const [open, setOpen] = useState<FaceEvent | null>(null);
  return (
    <>
      <h3>Recent events</h3>
      <ErrorBox error={events.error} />
      {events.data?.results.length === 0 && <p class="muted">No events of this dossier.</p>}
      <div class="events" data-testid="dossier-events">
        {events.data?.results.map((e) => (
          <EventCard key={e.id} e={e} lists={listById} onOpen={setOpen} />
        ))}
      </div>
      {open && <EventDetail e={open} lists={listById} onClose={() => setOpen(null)} />}
    </>
  );
}
