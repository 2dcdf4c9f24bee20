// Episodes: LIVE and closed, newest first; one opens with its events (GET /episodes/{id}).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, blob, query, type Episode, type EpisodeWithEvents, type FaceEvent, type Me, type Page, type WatchList } from '../api.ts';
import { EventCard, EventDetail, useDossier } from '../faces.tsx';
import { ErrorBox, Section, time, useAction, useGet, useWatchLists } from '../ui.tsx';

type Which = 'all' | 'live' | 'closed';

export function Episodes(_: { me: Me }) {
  const [which, setWhich] = useState<Which>('all');
  const [openId, setOpenId] = useState<string | null>(null);
  const episodes = useGet<Page<Episode>>(`/episodes${query({ limit: 100, open: which === 'all' ? undefined : which === 'live' })}`);
  const lists = useWatchLists();
  const listById = lists.byId;
  return (
    <div class="columns">
      <Section
        title="Episodes"
        actions={
          <>
            <select value={which} onChange={(e) => setWhich(e.currentTarget.value as Which)} aria-label="Which episodes">
              <option value="all">LIVE and closed</option>
              <option value="live">LIVE only</option>
              <option value="closed">Closed only</option>
            </select>
            <button onClick={episodes.reload}>Refresh</button>
          </>
        }
      >
        <ErrorBox error={episodes.error ?? lists.error} />
        {episodes.data?.results.length === 0 && <p class="muted">No episodes.</p>}
        <table>
          <tbody>
            {episodes.data?.results.map((ep) => (
              <EpisodeRow key={ep.id} ep={ep} active={ep.id === openId} onOpen={() => setOpenId(ep.id)} />
            ))}
          </tbody>
        </table>
      </Section>
      {openId && <EpisodeDetail key={openId} id={openId} lists={listById} />}
    </div>
  );
}

function EpisodeRow({ ep, active, onOpen }: { ep: Episode; active: boolean; onOpen: () => void }) {
  const dossier = useDossier(ep.matched_dossier);
  return (
    <tr class={active ? 'active' : ''} onClick={onOpen} style={{ cursor: 'pointer' }}>
      <td>{ep.open ? <strong class="chip" style={{ borderColor: '#d92d20' }}>LIVE</strong> : 'closed'}</td>
      <td>{time(ep.created_date)}</td>
      <td>{ep.matched ? (dossier?.name ?? `dossier ${ep.matched_dossier}`) : 'Unmatched'}</td>
      <td>{ep.events_count} event(s)</td>
      <td>{ep.cameras.join(', ')}</td>
      <td>{ep.acknowledged ? 'acknowledged' : ''}</td>
    </tr>
  );
}

function EpisodeDetail({ id, lists }: { id: string; lists: ReadonlyMap<string, WatchList> }) {
  const ep = useGet<EpisodeWithEvents>(`/episodes/${id}`);
  const [open, setOpen] = useState<FaceEvent | null>(null);
  const best = ep.data?.events.find((e) => e.id === ep.data?.best_event);
  return (
    <Section title={`Episode ${id}`}>
      <ErrorBox error={ep.error} />
      {ep.data && (
        <p>
          {time(ep.data.created_date)} – {time(ep.data.last_event_date)}, {ep.data.events_count} event(s){ep.data.open ? ', LIVE' : ''}
        </p>
      )}
      {ep.data && <Clip id={id} cameras={ep.data.cameras} />}
      {best && (
        <>
          <h3>Best face</h3>
          <EventCard e={best} lists={lists} onOpen={setOpen} />
          <h3>Events</h3>
        </>
      )}
      <div class="events">
        {ep.data?.events.map((e) => (
          <EventCard key={e.id} e={e} lists={lists} onOpen={setOpen} />
        ))}
      </div>
      {open && <EventDetail e={open} lists={lists} onClose={() => setOpen(null)} />}
    </Section>
  );
}

/** The episode's video clip of one of its cameras (GET /episodes/{id}/clip), asked for on demand. */
function Clip({ id, cameras }: { id: string; cameras: readonly string[] }) {
  const [camera, setCamera] = useState(cameras[0] ?? '');
  const [url, setUrl] = useState<string | null>(null);
  const [none, setNone] = useState(false);
  const action = useAction();
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const play = () =>
    action.run(async () => {
      setNone(false);
      try {
        setUrl(URL.createObjectURL(await blob(`/episodes/${id}/clip${query({ camera })}`)));
      } catch (err) {
        // 404: no clip was recorded for this episode (or not yet): said plainly, not as an error
        if (err instanceof ApiError && err.status === 404) setNone(true);
        else throw err;
      }
    });
  return (
    <div class="inline">
      {cameras.length > 1 && (
        <select value={camera} onChange={(e) => (setCamera(e.currentTarget.value), setUrl(null))} aria-label="Camera of the clip">
          {cameras.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      )}
      <button onClick={() => void play()} disabled={action.busy}>
        Play clip
      </button>
      {none && <span class="muted">No clip of this episode{cameras.length > 1 ? ' on this camera' : ''}.</span>}
      <ErrorBox error={action.error} />
      {url && <video src={url} controls autoplay muted class="clip" />}
    </div>
  );
}
