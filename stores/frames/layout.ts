// Where things sit in the frame store's directory: full frames under <camera>/<UTC hour>/ (local-frame-store.ts),
// episode clips under clips/<camera>/<episode id>.mp4 (pipelines/clips). Names are URI-encoded, so no camera or
// episode id can climb out of its folder.
import { join } from 'node:path';

/** The clips' folder under the frame store's directory. */
export const CLIPS_FOLDER = 'clips';

export function clipsRoot(frameStoreDir: string): string {
  return join(frameStoreDir, CLIPS_FOLDER);
}

/** Where the clip of `episodeId` on `camera` is kept under the clips root. */
export function clipPath(root: string, camera: string, episodeId: string): string {
  return join(root, encodeURIComponent(camera), `${encodeURIComponent(episodeId)}.mp4`);
}
