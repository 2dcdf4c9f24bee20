// Schemas with an $id, shared by reference ($ref) between routes and the OpenAPI document's components: added
// once, on the root instance, before any route.
import { ErrorBody } from '../errors.ts';
import { Camera } from './cameras.ts';
import { CameraGroup } from './camera-groups.ts';
import { Dossier } from './dossiers.ts';
import { DossierFace } from './dossier-faces.ts';
import { Episode } from './episodes.ts';
import { FaceEvent } from './events.ts';
import { RoleView } from './roles.ts';
import { TokenView } from './tokens.ts';
import { UserView } from './users.ts';
import { WatchList } from './watch-lists.ts';
import { Webhook } from './webhooks.ts';

export const SHARED_SCHEMAS = [ErrorBody, CameraGroup, Camera, WatchList, Dossier, DossierFace, FaceEvent, Episode, UserView, RoleView, TokenView, Webhook] as const;
