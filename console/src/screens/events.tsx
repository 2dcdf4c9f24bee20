// Event history (FindFace's Events page): the events the user may see, newest first, by FindFace's filters, a page at
// a time (GET /events with next_page).
import { useEffect, useState } from 'preact/hooks';
import { get, query, type FaceEvent, type Me, type Page } from '../api.ts';
import { EventCard, EventDetail } from '../faces.tsx';
import { ErrorBox, iso, Section, useAction, useWatchLists } from '../ui.tsx';

interface Filters {
  cameras: string;
  matched_lists: string;
  match: '' | 'matched' | 'no_match';
  acknowledged: '' | 'true' | 'false';
  alert: '' | 'true' | 'false';
  from: string;
  to: string;
}


export function Events(_: { me: Me }) {
  const lists = useWatchLists();
  const [filters, setFilters] = useState<Filters>({ cameras: '', matched_lists: '', match: '', acknowledged: '', alert: '', from: '', to: '' });
  const [events, setEvents] = useState<FaceEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [open, setOpen] = useState<FaceEvent | null>(null);
  const action = useAction();
  const path = (page?: string) =>
    `/events${query({
      limit: 50,
      page,
      cameras: filters.cameras,
      matched_lists: filters.matched_lists,
      ...(filters.match ? { [filters.match]: true } : {}),
      acknowledged: filters.acknowledged,
      alert: filters.alert,
      created_date_gte: iso(filters.from),
      created_date_lte: iso(filters.to),
    })}`;
  const load = (page?: string) =>
    action.run(async () => {
      const answer = await get<Page<FaceEvent>>(path(page));
      setEvents((cur) => (page ? [...cur, ...answer.results] : answer.results));
      setNext(answer.next_page);
    });
  useEffect(() => void load(), [filters]);
  const set = <K extends keyof Filters>(key: K) => (e: Event) => setFilters({ ...filters, [key]: (e.currentTarget as HTMLInputElement).value as Filters[K] });
  return (
    <Section title="Events">
      <form class="settings" onSubmit={(e) => e.preventDefault()}>
        <label>
          Cameras <input placeholder="all (ids, commas)" value={filters.cameras} onChange={set('cameras')} />
        </label>
        <label>
          Watch list{' '}
          <select value={filters.matched_lists} onChange={set('matched_lists')} aria-label="Watch list">
            <option value="">any</option>
            {lists.data?.results.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <select value={filters.match} onChange={set('match')} aria-label="Matched">
          <option value="">matched or not</option>
          <option value="matched">matched</option>
          <option value="no_match">unmatched</option>
        </select>
        <select value={filters.acknowledged} onChange={set('acknowledged')} aria-label="Acknowledged">
          <option value="">acknowledged or not</option>
          <option value="false">not acknowledged</option>
          <option value="true">acknowledged</option>
        </select>
        <select value={filters.alert} onChange={set('alert')} aria-label="Alerts">
          <option value="">alerts or not</option>
          <option value="true">alerts</option>
          <option value="false">not alerts</option>
        </select>
        <label>
          From <input type="datetime-local" value={filters.from} onChange={set('from')} />
        </label>
        <label>
          To <input type="datetime-local" value={filters.to} onChange={set('to')} />
        </label>
      </form>
      <ErrorBox error={action.error ?? lists.error} />
      {!action.busy && events.length === 0 && <p class="muted">No events match.</p>}
      <div class="events" data-testid="history">
        {events.map((e) => (
          <EventCard key={e.id} e={e} lists={lists.byId} onOpen={setOpen} />
        ))}
      </div>
      {next && (
        <button onClick={() => void load(next)} disabled={action.busy}>
          More
        </button>
      )}
      {open && <EventDetail e={open} lists={lists.byId} onClose={() => setOpen(null)} />}
    </Section>
  );
}
