// Pixels that several threads can read without copies. A frame is copied into a SharedArrayBuffer once; later
// calls with the same frame (detect, then embed and attributes of its faces) reuse that copy. Records are
// immutable between stages (pipelines/runtime/stage.ts), so a cached copy never goes stale.
import type { RgbImage } from '../../schemas/records.ts';
import type { FaceInImage } from '../face-models.types.ts';
import type { FacesPayload } from './protocol.ts';

// Keyed by the pixel array: the copy lives exactly as long as the frame that owns it.
const copies = new WeakMap<Uint8Array, Uint8Array>();

export function isShared(data: Uint8Array): boolean {
  return data.buffer instanceof SharedArrayBuffer;
}

export function sharedImage(image: RgbImage): RgbImage {
  if (isShared(image.data)) return image;
  let data = copies.get(image.data);
  if (!data) {
    data = new Uint8Array(new SharedArrayBuffer(image.data.byteLength));
    data.set(image.data);
    copies.set(image.data, data);
  }
  return { width: image.width, height: image.height, data };
}

/** The faces of a call with their distinct images shared, each image listed once. */
export function facesPayload(faces: readonly FaceInImage[]): FacesPayload {
  const index = new Map<RgbImage, number>();
  const images: RgbImage[] = [];
  const out = faces.map(({ image, face }) => {
    let i = index.get(image);
    if (i === undefined) {
      i = images.length;
      index.set(image, i);
      images.push(sharedImage(image));
    }
    return { image: i, face };
  });
  return { images, faces: out };
}

/** The worker side: FaceInImage again, pointing at the shared pixels. */
export function facesOf(payload: FacesPayload): FaceInImage[] {
  return payload.faces.map(({ image, face }) => {
    const img = payload.images[image];
    if (!img) throw new Error(`face refers to image ${image}, but the call has ${payload.images.length}`);
    return { image: img, face };
  });
}
