// The rows of the identity store, one type per table family, as the repositories return them, plus what creating
// and changing one takes. Field names are the columns' (snake_case), which are FindFace's API field names, so the API
// can hand rows out without renaming. Secrets never appear here: users carry no password hash, tokens no key hash.

// ---- camera groups and cameras ------------------------------------------------------------------------------------

export interface CameraGroup {
  readonly id: number;
  readonly name: string;
  readonly comment: string;
  readonly active: boolean;
  /** Allocation labels: which ingest workers may take this group's cameras. */
  readonly labels: Readonly<Record<string, string>>;
  readonly deduplicate: boolean;
  /** Seconds. */
  readonly deduplicate_delay: number;
  /** Overrides the global confidence threshold for this group's cameras; null = the global one. */
  readonly confidence_threshold: number | null;
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewCameraGroup = Pick<CameraGroup, 'name'> &
  Partial<Pick<CameraGroup, 'comment' | 'active' | 'labels' | 'deduplicate' | 'deduplicate_delay' | 'confidence_threshold'>>;
export type CameraGroupPatch = Partial<NewCameraGroup>;

export interface Camera {
  readonly id: number;
  readonly name: string;
  readonly camera_group_id: number;
  /** rtsp://, http(s)://, file:// */
  readonly url: string;
  readonly comment: string;
  readonly active: boolean;
  readonly confidence_threshold: number | null;
  /** FindFace's stream_settings (filter_min_quality, roi, rot, realtime_post_interval …). */
  readonly stream_settings: Readonly<Record<string, unknown>>;
  /** times restarted through the API (migration 006): part of the camera's job, so a rise restarts it */
  readonly restarts: number;
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewCamera = Pick<Camera, 'name' | 'camera_group_id' | 'url'> &
  Partial<Pick<Camera, 'comment' | 'active' | 'confidence_threshold' | 'stream_settings'>>;
export type CameraPatch = Partial<NewCamera>;

// ---- watch lists, dossiers, dossier faces -------------------------------------------------------------------------

/** Id of the built-in watch list of unmatched faces (FindFace's matched_lists = [-1]). */
export const UNMATCHED_WATCH_LIST_ID = -1;

export interface WatchList {
  readonly id: number;
  readonly name: string;
  readonly comment: string;
  /** Six lower-case hex digits, no '#'. */
  readonly color: string;
  /** Sound alert on a match. */
  readonly notify: boolean;
  /** A match must be acknowledged. */
  readonly acknowledge: boolean;
  readonly confidence_threshold: number | null;
  readonly active: boolean;
  /** The built-in unmatched list (cannot be deleted). */
  readonly builtin: boolean;
  /** The camera groups it is monitored on, ascending; empty = all. */
  readonly camera_group_ids: readonly number[];
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewWatchList = Pick<WatchList, 'name'> &
  Partial<Pick<WatchList, 'comment' | 'color' | 'notify' | 'acknowledge' | 'confidence_threshold' | 'active' | 'camera_group_ids'>>;
export type WatchListPatch = Partial<NewWatchList>;

export interface Dossier {
  readonly id: number;
  readonly name: string;
  readonly comment: string;
  /** Free-form fields (FindFace's custom dossier fields). */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly active: boolean;
  /** Ascending. */
  readonly watch_list_ids: readonly number[];
  readonly created_by: number | null;
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewDossier = Pick<Dossier, 'name'> & Partial<Pick<Dossier, 'comment' | 'meta' | 'active' | 'watch_list_ids' | 'created_by'>>;
export type DossierPatch = Partial<Omit<NewDossier, 'created_by'>>;

export interface BoundingBox {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface DossierFace {
  readonly id: number;
  readonly dossier_id: number;
  /** The embedder that made `embedding`; vectors of different models are not comparable. */
  readonly model_id: string;
  readonly embedding: Float32Array;
  /** FindFace's scale: 0 best, -2 satisfactory, -5 useless. */
  readonly quality: number;
  /** Paths in the thumbnail store. */
  readonly thumbnail: string | null;
  readonly source_photo: string | null;
  readonly source_photo_name: string;
  /** Where it came from when not an upload, e.g. `event:4267625862518432158`. */
  readonly create_from: string | null;
  /** The face in the source photo, pixels. */
  readonly bbox: BoundingBox;
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewDossierFace = Pick<DossierFace, 'dossier_id' | 'model_id' | 'embedding' | 'quality' | 'bbox'> &
  Partial<Pick<DossierFace, 'thumbnail' | 'source_photo' | 'source_photo_name' | 'create_from'>>;
export type DossierFacePatch = Partial<Pick<DossierFace, 'thumbnail' | 'source_photo' | 'source_photo_name'>>;

/** What a matcher loads: an active dossier's face with the active watch lists it is on. */
export interface MatchableFace {
  readonly id: number;
  readonly dossier_id: number;
  readonly embedding: Float32Array;
  readonly quality: number;
  readonly watch_list_ids: readonly number[];
}

// ---- roles, rights, users, tokens ---------------------------------------------------------------------------------

export const ENTITIES = ['cameragroup', 'camera', 'dossierlist', 'dossier', 'dossierface', 'listevent', 'eventepisode', 'user', 'group', 'token', 'webhook'] as const;
export type Entity = (typeof ENTITIES)[number];
export const ACTIONS = ['view', 'add', 'change', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];
export const FUNCTIONAL_PERMISSIONS = ['batchupload_dossier', 'view_runtimesetting', 'change_runtimesetting'] as const;
/** FindFace's permission codenames: `<action>_<entity>` and the functional rights. */
export type Permission = `${Action}_${Entity}` | (typeof FUNCTIONAL_PERMISSIONS)[number];
export const PERMISSIONS: readonly Permission[] = [
  ...ACTIONS.flatMap((a) => ENTITIES.map((e): Permission => `${a}_${e}`)),
  ...FUNCTIONAL_PERMISSIONS,
];
export const BUILTIN_ROLES = ['admin', 'operator', 'viewer'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

export interface Role {
  readonly id: number;
  readonly name: string;
  readonly comment: string;
  readonly permissions: readonly Permission[];
  readonly builtin: boolean;
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewRole = Pick<Role, 'name'> & Partial<Pick<Role, 'comment' | 'permissions'>>;
export type RolePatch = Partial<NewRole>;

/** A role's right on one camera group or watch list; no right = none. */
export type ObjectAccess = 'view' | 'change';

export interface ObjectPermissions {
  readonly camera_groups: readonly { readonly camera_group_id: number; readonly access: ObjectAccess }[];
  readonly watch_lists: readonly { readonly watch_list_id: number; readonly access: ObjectAccess }[];
}

export interface User {
  readonly id: number;
  /** The login. */
  readonly name: string;
  readonly real_name: string;
  readonly comment: string;
  readonly active: boolean;
  readonly superuser: boolean;
  readonly primary_role_id: number;
  /** Additional roles, ascending (rights add up with the primary role's). */
  readonly role_ids: readonly number[];
  readonly has_password: boolean;
  readonly last_login: Date | null;
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewUser = Pick<User, 'name' | 'primary_role_id'> &
  Partial<Pick<User, 'real_name' | 'comment' | 'active' | 'superuser' | 'role_ids'>> & {
    /** A hash string made by the auth module (never a password). */
    readonly password_hash?: string | null;
  };
export type UserPatch = Partial<NewUser>;

export interface Token {
  readonly id: number;
  readonly user_id: number;
  readonly name: string;
  readonly created_date: Date;
  readonly expires_date: Date | null;
  readonly last_used_date: Date | null;
}

// ---- webhooks and settings ----------------------------------------------------------------------------------------

export interface Webhook {
  readonly id: number;
  readonly name: string;
  readonly url: string;
  readonly active: boolean;
  /** FindFace's filters per type: {} = everything; {"events": {…}, "episodes": {…}, "counters": {…}}. */
  readonly filters: Readonly<Record<string, unknown>>;
  readonly max_batch_size: number;
  readonly max_attempts: number;
  readonly comment: string;
  readonly created_by: number | null;
  readonly created_date: Date;
  readonly modified_date: Date;
}
export type NewWebhook = Pick<Webhook, 'name' | 'url'> &
  Partial<Pick<Webhook, 'active' | 'filters' | 'max_batch_size' | 'max_attempts' | 'comment' | 'created_by'>>;
export type WebhookPatch = Partial<Omit<NewWebhook, 'created_by'>>;

/** FindFace's runtime settings (GET/PATCH /settings); a missing one means the configured default. */
export interface RuntimeSettings {
  readonly confidence_threshold?: number;
  /** -20 … 1 on FindFace's quality scale. */
  readonly minimum_dossier_quality?: number;
  readonly liveness_threshold?: number;
  readonly ignore_unmatched?: boolean;
  /** Days. */
  readonly events_max_age?: number;
  readonly events_features?: readonly string[];
}

/** Page through a list by id: rows with id > after_id, at most `limit` (default 100, at most 1000). */
export interface Page {
  readonly after_id?: number;
  readonly limit?: number;
}
