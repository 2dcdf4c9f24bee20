import { describe, expect, it } from 'vitest';
import type * as Avro from '../../../schemas/generated/avro-types.ts';
import type { FaceEvent } from '../../../schemas/records.ts';
import { basis, faceEvent } from '../testing/index.ts';
import { topicCodecs } from './wire.ts';

const wire = { format: 'jpeg', jpegQuality: 90, cropJpegQuality: 95, frameMaxWidth: 1280 } as const;

function eventWithCrop(): FaceEvent {
  const e = faceEvent({ id: 'e1', vector: basis(1), dossier: 'alice', confidence: 0.7 });
  const data = Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * 7) % 256);
  const post = { ...e.embedding.post, frame: { ...e.embedding.post.frame, frameRef: 'cam-1/2026-11-22-05/3.jpg' }, crop: { left: 90, top: 80, image: { width: 16, height: 16, data } } };
  return { ...e, embedding: { ...e.embedding, post, attributes: { gender: { name: 'female', confidence: 0.9 } } } };
}

describe('wire codecs', () => {
  it('a face event survives the round trip: vector, attributes (absent ↔ null), frame reference, crop', async () => {
    const codecs = topicCodecs(wire);
    const avro = (await codecs.matches.toWire(eventWithCrop())) as Avro.FaceEvent;
    expect(avro.embedding.attributes).toMatchObject({ gender: { name: 'female' }, age: null, liveness: null });
    expect(avro.embedding.post.frame.frameRef).toBe('cam-1/2026-11-22-05/3.jpg');
    const back = await codecs.matches.fromWire(avro);
    expect(back.embedding.vector).toEqual(basis(1));
    expect(back.embedding.attributes).toEqual({ gender: { name: 'female', confidence: 0.9 } });
    expect(back.embedding.post.frame.frameRef).toBe('cam-1/2026-11-22-05/3.jpg');
    expect(back.embedding.post.crop).toMatchObject({ left: 90, top: 80, image: { width: 16, height: 16 } });
    expect(back.embedding.post.crop.image.data).toHaveLength(16 * 16 * 3);
  });

  it('a consumer that reads no pixels passes the crop on as the very bytes it came as', async () => {
    const avro = (await topicCodecs(wire).matches.toWire(eventWithCrop())) as Avro.FaceEvent;
    const passing = topicCodecs({ ...wire, decodePixels: false });
    const back = await passing.matches.fromWire(avro);
    expect(back.embedding.post.crop.image).toMatchObject({ width: 16, height: 16 });
    const again = (await passing.matches.toWire(back)) as Avro.FaceEvent;
    expect(Buffer.compare(again.embedding.post.crop.image, avro.embedding.post.crop.image)).toBe(0);
  });
});
