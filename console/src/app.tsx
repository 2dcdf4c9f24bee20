// The shell: login, the signed-in user (GET /auth/me), the menu of the screens their rights allow, hash routes.
import { useEffect, useState } from 'preact/hooks';
import { call, get, session, type LoginResult, type Me } from './api.ts';
import { Admin } from './screens/admin.tsx';
import { Cameras } from './screens/cameras.tsx';
import { Episodes } from './screens/episodes.tsx';
import { Events } from './screens/events.tsx';
import { Lists } from './screens/lists.tsx';
import { Live } from './screens/live.tsx';
import { Search } from './screens/search.tsx';
import { Stats } from './screens/stats.tsx';
import { can, ErrorBox, MeContext, useAction } from './ui.tsx';

interface Screen {
  readonly path: string;
  readonly title: string;
  readonly allowed: (me: Me) => boolean;
  readonly view: (props: { me: Me }) => preact.JSX.Element;
}

const SCREENS: readonly Screen[] = [
  { path: 'live', title: 'Live events', allowed: (me) => can(me, 'view_listevent'), view: Live },
  { path: 'events', title: 'Events', allowed: (me) => can(me, 'view_listevent'), view: Events },
  { path: 'episodes', title: 'Episodes', allowed: (me) => can(me, 'view_eventepisode'), view: Episodes },
  { path: 'lists', title: 'Watch lists', allowed: (me) => can(me, 'view_dossierlist'), view: Lists },
  { path: 'search', title: 'Search', allowed: () => true, view: Search },
  { path: 'cameras', title: 'Cameras', allowed: (me) => can(me, 'view_camera'), view: Cameras },
  { path: 'stats', title: 'Statistics', allowed: (me) => can(me, 'view_listevent'), view: Stats },
  { path: 'admin', title: 'Administration', allowed: (me) => can(me, 'view_user') || can(me, 'view_group') || can(me, 'view_runtimesetting'), view: Admin },
];

const pathOf = (hash: string) => hash.replace(/^#\/?/, '').split('?')[0] ?? '';

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(session.token ? undefined : null);
  // the whole hash: a screen opened again with other parameters (#/search?looks_like=…) starts afresh
  const [hash, setHash] = useState(location.hash);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    addEventListener('hashchange', onHash);
    session.onExpired = () => {
      setNotice('Your session has ended (the token expired or was revoked): sign in again.');
      setMe(null);
    };
    if (session.token) get<Me>('/auth/me').then(setMe, () => setMe(null));
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (me === undefined) return <p class="loading">Loading…</p>;
  if (me === null) return <Login notice={notice} onIn={(m) => (setNotice(null), setMe(m))} />;
  const screens = SCREENS.filter((s) => s.allowed(me));
  const screen = screens.find((s) => s.path === pathOf(hash)) ?? screens[0];
  const logout = () => {
    call('POST', '/auth/logout').catch(() => undefined);
    session.clear();
    setMe(null);
  };
  return (
    <div class="shell">
      <nav>
        <strong class="brand">facestream</strong>
        {screens.map((s) => (
          <a href={`#/${s.path}`} class={s === screen ? 'active' : ''} key={s.path}>
            {s.title}
          </a>
        ))}
        <span class="who">
          {me.user.real_name || me.user.name} <button onClick={logout}>Sign out</button>
        </span>
      </nav>
      <main>
        <MeContext.Provider value={me}>{screen ? <screen.view me={me} key={hash} /> : <p>Your role gives no screen of this console. Ask an administrator for rights.</p>}</MeContext.Provider>
      </main>
    </div>
  );
}

function Login({ onIn, notice }: { onIn: (me: Me) => void; notice: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const { key } = await call<LoginResult>('POST', '/auth/login', { username, password });
      session.set(key);
      onIn(await get<Me>('/auth/me'));
    });
  };
  return (
    <form class="login panel" onSubmit={submit}>
      <h1>facestream</h1>
      {notice && <p class="notice">{notice}</p>}
      <label>
        User <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
      </label>
      <label>
        Password <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
      </label>
      <button type="submit" disabled={action.busy}>
        Sign in
      </button>
      <ErrorBox error={action.error} />
    </form>
  );
}
