// Pixels that several threads can read without copies. A frame is copied into a SharedArrayBuffer once; later
// calls with the same frame (detect, then embed and attributes of its faces) reuse that copy. Records are
// immutable between stages (pipelines/runtime/stage.ts), so a cached copy never goes stale.
import type { RgbImage } from '../../schemas/records.ts';
import type { FaceInImage } from '../face-models.types.ts';
import type { FacesPayload } from './protocol.ts';

// Keyed by the pixel array: the copy lives exactly as long as the frame that owns it.
const copies = new WeakMap<Uint8Array, Uint8Array>();

// V8 leaves SharedArrayBuffers out of the external memory that schedules its garbage collections
// (nodejs/node#34703): 1,500 dropped 720p frames in SharedArrayBuffers grew a process to 3 GB, where ordinary
// ArrayBuffers stayed under 200 MB. So every shared pixel array made here carries, for as long as it lives, an
// ordinary ArrayBuffer that nothing writes, which V8 does count. The weight is a trade: at the frame's full size V8
// ran a full collection every ~5 frames; over the 60 s 720p loop, 1/16 of it (also on the workers' views) cost
// ~5 s of CPU and levelled off at ~800 MB; 1/32 on this thread only costs ~1.5 s and levels off at ~800-900 MB;
// none grows to 2.6-2.9 GB. The workers' views need no weight: a worker holds a frame only during a call, and
// its own allocations run the young-generation collections that free them.
const WEIGHT_SHARE = 32;
const weights = new WeakMap<Uint8Array, ArrayBuffer>();

/** `bytes` of zeroed shared memory that the garbage collector counts: what a decoder writes frames into. */
export function newSharedPixels(bytes: number): Uint8Array {
  const data = new Uint8Array(new SharedArrayBuffer(bytes));
  weights.set(data, new ArrayBuffer(Math.ceil(bytes / WEIGHT_SHARE)));
  return data;
}

export function isShared(data: Uint8Array): boolean {
  return data.buffer instanceof SharedArrayBuffer;
}

export function sharedImage(image: RgbImage): RgbImage {
  if (isShared(image.data)) return image;
  let data = copies.get(image.data);
  if (!data) {
    data = newSharedPixels(image.data.byteLength);
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
