// Small pieces every screen uses: loading with a readable error, the drop zone for photos, colours, times, rights.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { call, get, type FaceEvent, type Me, type Page, type WatchList } from './api.ts';

/** The signed-in user, for parts deep in a screen (the event dialog). */
export const MeContext = createContext<Me | null>(null);
export const useMe = (): Me => useContext(MeContext)!;

/** The signed-in user: what they may do decides what is shown (the API filters and refuses the rest anyway). */
export function can(me: Me, permission: string): boolean {
  return me.administrator || me.permissions.includes(permission);
}

/** Whether the user may change this watch list (its dossiers, enrolment), by role permission and object right. */
export function canChangeList(me: Me, listId: number, permission: string): boolean {
  return me.administrator || (me.permissions.includes(permission) && me.watch_lists.some((w) => w.id === listId && w.access === 'change'));
}

/** A parameter of the hash route (`#/search?looks_like=event:1`). */
export const routeParam = (name: string) => new URLSearchParams(location.hash.split('?')[1] ?? '').get(name);

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** JSON typed by the user (settings, filters), or an error naming what is not JSON. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} are not JSON: ${errorText(err)}`);
  }
}

export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** GET a path (again whenever it changes, or on reload()); errors are kept to show, never thrown. */
export function useGet<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    get<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** The watch lists the user sees, and by id as events name them (strings), for colours and names. */
export function useWatchLists(): Loaded<Page<WatchList>> & { byId: ReadonlyMap<string, WatchList> } {
  const lists = useGet<Page<WatchList>>('/watch-lists?limit=1000');
  const byId = useMemo(() => new Map((lists.data?.results ?? []).map((l) => [String(l.id), l])), [lists.data]);
  return { ...lists, byId };
}

/** Runs an action, keeping its error and whether it is busy, for buttons and forms. */
export function useAction(): { busy: boolean; error: unknown; run: (f: () => Promise<unknown>) => Promise<void>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

/** A form that runs an action on submit: its button is disabled while it runs, and a failure is shown under it. */
export function ActionForm({ run, submit, class: cls = 'inline', children }: { run: () => Promise<unknown>; submit?: string; class?: string; children: ComponentChildren }) {
  const action = useAction();
  return (
    <form
      class={cls}
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(run);
      }}
    >
      {children}
      {submit && <button disabled={action.busy}>{submit}</button>}
      <ErrorBox error={action.error} />
    </form>
  );
}

/** A one-field form creating an object by its name (POST `path` with `{ name, ...extra }`), handing the new object on. */
export function CreateByName<T>({ path, extra, submit, label, placeholder, onDone }: { path: string; extra?: object; submit: string; label: string; placeholder: string; onDone: (created: T) => void }) {
  const [name, setName] = useState('');
  return (
    <ActionForm
      submit={submit}
      run={async () => {
        onDone(await call<T>('POST', path, { name, ...extra }));
        setName('');
      }}
    >
      <input placeholder={placeholder} aria-label={label} value={name} onInput={(e) => setName(e.currentTarget.value)} required />
    </ActionForm>
  );
}

/** A place to drop photos (or click to pick them). */
export function DropZone({ label, onFiles, multiple = false, testId }: { label: string; onFiles: (files: File[]) => void; multiple?: boolean; testId?: string }) {
  const [over, setOver] = useState(false);
  const take = (list: FileList | null | undefined) => {
    const files = list ? Array.from(list) : [];
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  };
  return (
    <label
      class={over ? 'drop over' : 'drop'}
      data-testid={testId}
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        take(e.dataTransfer?.files);
      }}
    >
      {label}
      <input type="file" accept="image/*" multiple={multiple} onChange={(e) => take((e.currentTarget as HTMLInputElement).files)} />
    </label>
  );
}

export const time = (date: string) => new Date(date).toLocaleString();
/** A datetime-local input's value as the API's ISO date-time (undefined when empty). */
export const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
export const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Colour of an event: its first matched list's, grey when unmatched. */
export function eventColour(e: FaceEvent, lists: ReadonlyMap<string, WatchList>): string {
  const list = e.matched ? lists.get(e.matched_lists[0] ?? '') : undefined;
  return `#${list?.color ?? '9e9e9e'}`;
}

/** The attributes an event carries, in words. */
export function attributes(e: Pick<FaceEvent, 'features'>): string {
  const f = e.features;
  return [f.gender?.name, f.age !== null ? `age ${Math.round(f.age)}` : undefined, f.emotions?.name, f.eyes ? `eyes ${f.eyes.name}` : undefined, f.liveness?.name]
    .filter(Boolean)
    .join(', ');
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel">
      <header>
        <h2>{title}</h2>
        <div class="actions">{actions}</div>
      </header>
      {children}
    </section>
  );
}
