// Where tests find the shared real data and the repository's own example files.
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
export const VIDEO = (name: string) => `${SHARED_DATA}video/${name}`;
export const FACE_PHOTO = (name: string) => `${SHARED_DATA}faces/deepface/${name}`;
export const REPO = fileURLToPath(new URL('../', import.meta.url));
export const DEMO_CLIP = `${REPO}examples/demo/clip.mp4`;
export const DEMO_WATCHLIST = `${REPO}examples/demo/watchlist`;
