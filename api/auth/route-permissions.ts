// Which right every /api/v1 route needs: THE one place. A route missing here is refused to everyone but
// administrators (fail closed), and route-permissions.test.ts fails until it is declared. Keys are
// `<METHOD> <route pattern as registered>`; HEAD answers like GET.
import type { Permission } from '../../stores/postgres/rows.ts';

export type RouteRule =
  /** no token needed (logging in) */
  | { readonly kind: 'public' }
  /** any valid token; the route itself limits what is shown (own tokens, …) */
  | { readonly kind: 'authenticated' }
  /** a FindFace permission codename of one of the user's roles */
  | { readonly kind: 'permission'; readonly permission: Permission }
  /** administrators only (superusers and the built-in admin role): what has no FindFace codename */
  | { readonly kind: 'admin' };

const need = (permission: Permission): RouteRule => ({ kind: 'permission', permission });
const PUBLIC: RouteRule = { kind: 'public' };
const AUTHENTICATED: RouteRule = { kind: 'authenticated' };
const ADMIN: RouteRule = { kind: 'admin' };

type Entity = 'cameragroup' | 'camera' | 'dossierlist' | 'dossier' | 'dossierface' | 'user' | 'group';

/** The five CRUD routes of a resource: create, list, get, change, delete. */
function crud(path: string, entity: Entity): Record<string, RouteRule> {
  return {
    [`POST ${path}`]: need(`add_${entity}`),
    [`GET ${path}`]: need(`view_${entity}`),
    [`GET ${path}/:id`]: need(`view_${entity}`),
    [`PATCH ${path}/:id`]: need(`change_${entity}`),
    [`DELETE ${path}/:id`]: need(`delete_${entity}`),
  };
}

const V1 = '/api/v1';

export const ROUTE_PERMISSIONS: Readonly<Record<string, RouteRule>> = {
  ...crud(`${V1}/camera-groups`, 'cameragroup'),
  ...crud(`${V1}/cameras`, 'camera'),
  // a camera's health over time (its live health is in the camera itself)
  [`GET ${V1}/cameras/:id/statistics`]: need('view_camera'),
  [`GET ${V1}/cameras/:id/screenshot.jpg`]: need('view_camera'),
  [`POST ${V1}/cameras/:id/restart`]: need('change_camera'),
  ...crud(`${V1}/watch-lists`, 'dossierlist'),
  // purge deletes the list's dossiers
  [`POST ${V1}/watch-lists/:id/purge`]: need('delete_dossier'),
  ...crud(`${V1}/dossiers`, 'dossier'),
  // merging changes this dossier and deletes the other (delete_dossier checked in the route)
  [`POST ${V1}/dossiers/:id/merge`]: need('change_dossier'),
  [`POST ${V1}/dossier-faces`]: need('add_dossierface'),
  [`GET ${V1}/dossier-faces`]: need('view_dossierface'),
  [`GET ${V1}/dossier-faces/:id`]: need('view_dossierface'),
  [`GET ${V1}/dossier-faces/:id/thumbnail.jpg`]: need('view_dossierface'),
  [`DELETE ${V1}/dossier-faces/:id`]: need('delete_dossierface'),
  [`GET ${V1}/events`]: need('view_listevent'),
  [`GET ${V1}/events/:id`]: need('view_listevent'),
  [`GET ${V1}/events/:id/thumbnail.jpg`]: need('view_listevent'),
  [`GET ${V1}/events/:id/frame.jpg`]: need('view_listevent'),
  // acknowledging (FindFace: operators and viewers do it too)
  [`PATCH ${V1}/events/:id`]: need('change_listevent'),
  [`POST ${V1}/events/acknowledge`]: need('change_listevent'),
  // FindFace lets every role search and compare faces; the photos are the caller's own
  [`POST ${V1}/verify`]: AUTHENTICATED,

  // the families other engineers are adding (detect, episodes, search, statistics): declared here so they are
  // not admin-only; their event-derived answers should also apply eventVisibility() (principal.ts)
  [`POST ${V1}/detect`]: AUTHENTICATED,
  [`GET ${V1}/episodes`]: need('view_eventepisode'),
  [`GET ${V1}/episodes/:id`]: need('view_eventepisode'),
  [`GET ${V1}/episodes/:id/clip`]: need('view_eventepisode'),
  [`GET ${V1}/search/events`]: need('view_listevent'),
  [`POST ${V1}/search/events`]: need('view_listevent'),
  [`GET ${V1}/search/dossiers`]: need('view_dossier'),
  [`POST ${V1}/search/dossiers`]: need('view_dossier'),
  // retro matches are events (seen by FindFace's event rule, with the lists of the dossier they now match)
  [`GET ${V1}/retro-matches`]: need('view_listevent'),
  [`GET ${V1}/statistics`]: need('view_listevent'),
  // counters configure what is counted on cameras (FindFace's own `counter` entity is not a permission here yet)
  [`POST ${V1}/counters`]: need('change_camera'),
  [`GET ${V1}/counters`]: need('view_camera'),
  [`GET ${V1}/counters/:id`]: need('view_camera'),
  [`PATCH ${V1}/counters/:id`]: need('change_camera'),
  [`DELETE ${V1}/counters/:id`]: need('change_camera'),
  [`GET ${V1}/counters/:id/records`]: need('view_camera'),
  [`GET ${V1}/counters/:id/statistics`]: need('view_camera'),
  // the live feed (WebSocket) of new events and episode changes, narrowed to what the user may see like the listings
  [`GET ${V1}/live`]: need('view_listevent'),

  [`POST ${V1}/auth/login`]: PUBLIC,
  [`POST ${V1}/auth/logout`]: AUTHENTICATED,
  [`GET ${V1}/auth/me`]: AUTHENTICATED,
  ...crud(`${V1}/users`, 'user'),
  ...crud(`${V1}/roles`, 'group'), // FindFace calls roles "groups"
  [`GET ${V1}/roles/:id/objects`]: need('view_group'),
  [`PUT ${V1}/roles/:id/camera-groups/:object_id`]: need('change_group'),
  [`PUT ${V1}/roles/:id/watch-lists/:object_id`]: need('change_group'),
  // one's own tokens; other users' need view_token / delete_token (checked in the route)
  [`GET ${V1}/tokens`]: AUTHENTICATED,
  [`POST ${V1}/tokens`]: AUTHENTICATED,
  [`DELETE ${V1}/tokens/:id`]: AUTHENTICATED,
  [`GET ${V1}/audit-log`]: ADMIN,
  // FindFace: webhooks are for administrators only
  [`POST ${V1}/webhooks`]: ADMIN,
  [`GET ${V1}/webhooks`]: ADMIN,
  [`GET ${V1}/webhooks/:id`]: ADMIN,
  [`PATCH ${V1}/webhooks/:id`]: ADMIN,
  [`DELETE ${V1}/webhooks/:id`]: ADMIN,
  [`GET ${V1}/webhooks/:id/deliveries`]: ADMIN,
  [`GET ${V1}/settings`]: need('view_runtimesetting'),
  [`PATCH ${V1}/settings`]: need('change_runtimesetting'),
};

/** The rule of a route, by method and registered pattern (a trailing slash is ignored, as the router does). */
export function ruleOf(method: string, pattern: string): RouteRule | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  const url = pattern.length > 1 && pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  return ROUTE_PERMISSIONS[`${m} ${url}`];
}
