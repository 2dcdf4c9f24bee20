// Live events: the newest events, then every new one pushed by the WebSocket feed (GET /api/v1/live). A lost
// connection is said and retried; on reconnecting the gap is read back with GET /events.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, liveUrl, query, session, type FaceEvent, type Me, type Page } from '../api.ts';
import { EventCard, EventDetail } from '../faces.tsx';
import { can, ErrorBox, Section, useAction, useWatchLists } from '../ui.tsx';

const KEEP = 200;
type Show = 'all' | 'matched' | 'unmatched' | 'alerts';
type Link = { state: 'connecting' | 'live' } | { state: 'lost'; retryIn: number; why: string };

/** A short two-tone beep (no sound file to ship); browsers allow it after the user has clicked on the page. */
function beep(ctx: AudioContext): void {
  for (const [at, hz] of [
    [0, 880],
    [0.18, 660],
  ] as const) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + at);
    osc.stop(ctx.currentTime + at + 0.15);
  }
}

/** Newest first, one per id (a changed event replaces its older copy), at most KEEP. */
function merge(into: readonly FaceEvent[], add: readonly FaceEvent[]): FaceEvent[] {
  const byId = new Map(into.map((e) => [e.id, e]));
  for (const e of add) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.created_date.localeCompare(a.created_date)).slice(0, KEEP);
}

export function Live({ me }: { me: Me }) {
  const lists = useWatchLists();
  const listById = lists.byId;
  const [events, setEvents] = useState<FaceEvent[]>([]);
  const [held, setHeld] = useState<FaceEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [show, setShow] = useState<Show>('all');
  const [link, setLink] = useState<Link>({ state: 'connecting' });
  const [open, setOpen] = useState<FaceEvent | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sound, setSound] = useState<AudioContext | null>(null);
  const action = useAction();
  // the socket's handlers read these through refs: they outlive renders
  const state = useRef({ paused, sound, listById, shown: new Set<string>() });
  state.current = { paused, sound, listById, shown: new Set(events.map((e) => e.id)) };
  const mayAck = can(me, 'change_listevent');

  useEffect(() => {
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let failures = 0;
    let since: string | undefined;
    const take = (batch: FaceEvent[], alert: boolean) => {
      if (!batch.length) return;
      const newest = batch.reduce((m, e) => (e.created_date > m ? e.created_date : m), since ?? '');
      since = newest;
      const s = state.current;
      // a beep for an alert (the camera's alert mode) or a match on a list marked notify
      if (alert && s.sound && batch.some((e) => !e.acknowledged && (e.alert || (e.matched && e.matched_lists.some((l) => s.listById.get(l)?.notify))))) beep(s.sound);
      if (s.paused) {
        // held and counted: events not on screen yet; a change of one shown (its episode, an acknowledgement) shows at once
        setHeld((h) => merge(h, batch.filter((e) => !s.shown.has(e.id))));
        setEvents((cur) => merge(cur, batch.filter((e) => s.shown.has(e.id))));
      } else setEvents((cur) => merge(cur, batch));
    };
    const catchUp = async () => {
      const page = await get<Page<FaceEvent>>(`/events${query({ limit: 50, created_date_gte: since })}`);
      take(page.results, false);
    };
    const connect = () => {
      setLink({ state: 'connecting' });
      socket = new WebSocket(liveUrl({ kinds: 'events' }));
      socket.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { type: string; data: unknown };
        if (msg.type === 'ready') {
          failures = 0;
          setLink({ state: 'live' });
          catchUp().catch(setError);
        } else if (msg.type === 'event') take([msg.data as FaceEvent], true);
      };
      socket.onclose = (c) => {
        if (stopped) return;
        if (c.code === 4401) return void (session.clear(), session.onExpired());
        if (c.code === 4403) return void setLink({ state: 'lost', retryIn: 0, why: 'you have no right to the live feed' });
        // 1 s, 2 s, 4 s … at most 30 s between attempts
        const wait = Math.min(30, 2 ** failures++);
        setLink({ state: 'lost', retryIn: wait, why: c.reason || `connection closed (${c.code})` });
        timer = setTimeout(connect, wait * 1000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, []);

  const resume = () => {
    setEvents((cur) => merge(cur, held));
    setHeld([]);
    setPaused(false);
  };
  const shown = events.filter((e) => (show === 'alerts' ? e.alert : show === 'all' || (show === 'matched') === e.matched));
  const acknowledge = (e: FaceEvent) =>
    action.run(async () => {
      const updated = await call<FaceEvent>('PATCH', `/events/${e.id}`, { acknowledged: true });
      setEvents((cur) => merge(cur, [updated]));
    });
  const acknowledgeAll = () =>
    action.run(async () => {
      await call('POST', '/events/acknowledge?acknowledged=false', {});
      setEvents((cur) => cur.map((e) => ({ ...e, acknowledged: true })));
    });
  const toggleSound = () => {
    if (sound) return void (sound.close(), setSound(null));
    setSound(new AudioContext());
  };

  return (
    <Section
      title="Live events"
      actions={
        <>
          <select value={show} onChange={(e) => setShow(e.currentTarget.value as Show)} aria-label="Show">
            <option value="all">All faces</option>
            <option value="matched">Matched only</option>
            <option value="unmatched">Unmatched only</option>
            <option value="alerts">Alerts only</option>
          </select>
          <button onClick={paused ? resume : () => setPaused(true)}>{paused ? `Resume (${held.length} new)` : 'Pause'}</button>
          <button onClick={toggleSound} aria-pressed={sound !== null}>
            {sound ? 'Sound on' : 'Sound off'}
          </button>
          {mayAck && (
            <button onClick={acknowledgeAll} disabled={action.busy}>
              Acknowledge all
            </button>
          )}
        </>
      }
    >
      <p class={`link ${link.state}`} data-testid="link">
        {link.state === 'live' && 'Live: new events appear as they happen.'}
        {link.state === 'connecting' && 'Connecting to the live feed…'}
        {link.state === 'lost' && `Connection lost: ${link.why}.${link.retryIn ? ` Reconnecting in ${link.retryIn} s…` : ''}`}
      </p>
      <ErrorBox error={error ?? action.error ?? lists.error} />
      {shown.length === 0 && <p class="muted">No events yet.</p>}
      <div class="events">
        {shown.map((e) => (
          <EventCard
            key={e.id}
            e={e}
            lists={listById}
            onOpen={setOpen}
            actions={
              mayAck && !e.acknowledged ? (
                <button onClick={() => acknowledge(e)} disabled={action.busy}>
                  Acknowledge
                </button>
              ) : e.acknowledged ? (
                <span class="muted">acknowledged</span>
              ) : undefined
            }
          />
        ))}
      </div>
      {open && <EventDetail e={open} lists={listById} onClose={() => setOpen(null)} />}
    </Section>
  );
}
