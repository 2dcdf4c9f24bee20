import { describe, expect, it } from 'vitest';
import type * as Avro from '../../../schemas/generated/avro-types.ts';
import type { FaceEvent, FacePost } from '../../../schemas/records.ts';
import { basis, faceEvent } from '../testing/index.ts';
import { loadAvroContracts } from '../../../schemas/avro/contracts.ts';
import { EncodedRecord } from '../../../schemas/serde/encoded-record.ts';
import { topicCodecs } from './wire.ts';

const wire = { format: 'jpeg', jpegQuality: 90, cropJpegQuality: 95, frameMaxWidth: 1280 } as const;

function postWithCrop(): FacePost {
  const { post } = eventWithCrop().embedding;
  return { ...post, crop: post.crop! };
}

function eventWithCrop(): FaceEvent {
  const e = faceEvent({ id: 'e1', vector: basis(1), dossier: 'alice', confidence: 0.7 });
  const data = Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * 7) % 256);
  const post = { ...e.embedding.post, frame: { ...e.embedding.post.frame, frameRef: 'cam-1/2026-11-22-05/3.jpg' }, crop: { left: 90, top: 80, image: { width: 16, height: 16, data } } };
  return { ...e, embedding: { ...e.embedding, post, attributes: { gender: { name: 'female', confidence: 0.9 } } } };
}

describe('wire codecs', () => {
  it('a face event survives the round trip: vector, attributes (absent ↔ null), frame reference; its crop stays on faces', async () => {
    const codecs = topicCodecs(wire);
    const avro = (await codecs.matches.toWire(eventWithCrop())) as Avro.FaceEvent;
    expect(avro.embedding.attributes).toMatchObject({ gender: { name: 'female' }, age: null, liveness: null });
    expect(avro.embedding.post.frame.frameRef).toBe('cam-1/2026-11-22-05/3.jpg');
    expect(avro.embedding.post.crop).toBeNull();
    const back = await codecs.matches.fromWire(avro);
    expect(back.embedding.vector).toEqual(basis(1));
    expect(back.embedding.attributes).toEqual({ gender: { name: 'female', confidence: 0.9 } });
    expect(back.embedding.post.frame.frameRef).toBe('cam-1/2026-11-22-05/3.jpg');
    expect(back.embedding.post).not.toHaveProperty('crop');
  });

  it('a face post carries its crop', async () => {
    const codecs = topicCodecs(wire);
    const avro = (await codecs.faces.toWire(postWithCrop())) as Avro.FacePost;
    const back = await codecs.faces.fromWire(avro);
    expect(back.crop).toMatchObject({ left: 90, top: 80, image: { width: 16, height: 16 } });
    expect(back.crop.image.data).toHaveLength(16 * 16 * 3);
  });

  it('a face post without a crop cannot be embedded: a decode error that is not retried (the record is dead-lettered)', async () => {
    const codecs = topicCodecs(wire);
    const avro = (await codecs.faces.toWire(postWithCrop())) as Avro.FacePost;
    await expect(codecs.faces.fromWire({ ...avro, crop: null })).rejects.toMatchObject({ message: expect.stringMatching(/has no crop/), retryable: false });
  });

  it('a consumer that reads no pixels passes the crop on as the very bytes it came as', async () => {
    const avro = (await topicCodecs(wire).faces.toWire(postWithCrop())) as Avro.FacePost;
    const passing = topicCodecs({ ...wire, decodePixels: false });
    const back = await passing.faces.fromWire(avro);
    expect(back.crop.image).toMatchObject({ width: 16, height: 16 });
    const again = (await passing.faces.toWire(back)) as Avro.FacePost;
    expect(Buffer.compare(again.crop!.image, avro.crop!.image)).toBe(0);
  });

  it('attributes decoded by avsc come without the methods its records inherit', async () => {
    const codecs = topicCodecs(wire);
    const avro = (await codecs.embeddings.toWire(eventWithCrop().embedding)) as Avro.FaceEmbedding;
    const type = loadAvroContracts().type('FaceEmbedding');
    const back = await codecs.embeddings.fromWire(type.fromBuffer(type.toBuffer(avro)));
    expect(Object.keys(back.attributes)).toEqual(['gender']);
  });

  it("an event holding an embedding as it was read carries the embedding's Avro body; a rebuilt one is encoded anew", async () => {
    const codecs = topicCodecs(wire);
    const { embedding, ...event } = eventWithCrop();
    const body = Buffer.from([1, 2, 3]);
    const read = await codecs.embeddings.fromWire(await codecs.embeddings.toWire(embedding), new EncodedRecord('facestream.FaceEmbedding', body));
    const passed = (await codecs.matches.toWire({ ...event, embedding: read })) as { embedding: unknown };
    expect(passed.embedding).toBeInstanceOf(EncodedRecord);
    // detached: a copy, not a view into the (fetch) buffer it was read from
    body[0] = 9;
    expect((passed.embedding as EncodedRecord).body).toEqual(Buffer.from([1, 2, 3]));
    const rebuilt = (await codecs.matches.toWire({ ...event, embedding: { ...read, fresh: false } })) as Avro.FaceEvent;
    expect(rebuilt.embedding.fresh).toBe(false);
    const unread = (await codecs.matches.toWire({ ...event, embedding: await codecs.embeddings.fromWire(await codecs.embeddings.toWire(embedding)) })) as Avro.FaceEvent;
    expect(unread.embedding.modelId).toBe(embedding.modelId);
  });
});
