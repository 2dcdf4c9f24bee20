// Webhooks skip duplicates (docs/DEDUP.md): events of a deduplicating group's cameras wait in the Notifier for the
// episode change carrying their verdict (either arrival order) and a duplicate is not sent; other cameras' events
// go at once; an event whose verdict never comes is sent after the wait.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import type { Webhook } from '../../stores/postgres/rows.ts';
import { NotifyConfig } from '../notify/config.ts';
import { Notifier } from '../notify/notifier.ts';
import { systemClock } from '../runtime/stage.ts';
import { basis, faceEvent } from '../runtime/testing/index.ts';
import { fixedDedupGroups } from './groups.ts';

const hook: Webhook = {
  id: 1, name: 'all events', url: 'http://127.0.0.1:9/hook', active: true, filters: { events: {} }, max_batch_size: 100, max_attempts: 1,
  comment: '', created_by: null, created_date: new Date(0), modified_date: new Date(0),
};
const groups = fixedDedupGroups([
  { camera_id: 1, camera_name: 'lobby-1', camera_group_id: 1, deduplicate_delay: 15 },
  { camera_id: 2, camera_name: 'lobby-2', camera_group_id: 1, deduplicate_delay: 15 },
]);
const event = (id: string, camera: string): FaceEvent => faceEvent({ id, camera, trackId: id, t: 0, vector: basis(0), dossier: 'alice' });
const change = (eventId: string, duplicateOf: string | null): EpisodeChange => ({
  kind: 'event', episodeId: 'ep', scope: 's', eventId, duplicateOf, bestEventId: eventId, eventsCount: 1, dossier: 'alice', cameras: [], startTs: 0, endTs: 0, startT: 0, endT: 0,
});

let notifier: Notifier | undefined;
afterEach(async () => notifier?.close());

async function start(dedupWaitMs: number): Promise<{ sent: string[] }> {
  const sent: string[] = [];
  notifier = await Notifier.start({
    config: validateOrThrow(NotifyConfig, { webhooks: { flush_interval_ms: 0 } }, 'notify'),
    logger: pino({ level: 'silent' }),
    clock: systemClock,
    loadWebhooks: async () => [hook],
    groupOf: () => undefined,
    deliveries: { record: () => {} },
    post: async (_url, body) => {
      sent.push(...(JSON.parse(body) as { id: string }[]).map((e) => e.id));
      return { ok: true, statusCode: 200, error: '' };
    },
    dedupGroups: groups,
    dedupWaitMs,
  });
  return { sent };
}

describe('notify-events and deduplication', () => {
  it('sends kept events once their verdict comes, never a duplicate; other cameras at once', async () => {
    const { sent } = await start(60_000);
    notifier!.offerEvents([event('kept', 'lobby-1'), event('again', 'lobby-2'), event('street', 'street-1')]);
    await notifier!.drain(5000);
    expect(sent).toEqual(['street']);
    // the change of 'late' comes before its event (two topics)
    notifier!.offerEpisodes([change('kept', null), change('again', 'kept'), change('late', 'kept')]);
    notifier!.offerEvents([event('late', 'lobby-1')]);
    await notifier!.drain(5000);
    expect(sent).toEqual(['street', 'kept']);
  });

  it('an event whose verdict never comes is sent after the wait', async () => {
    const { sent } = await start(200);
    notifier!.offerEvents([event('alone', 'lobby-1')]);
    await new Promise((r) => setTimeout(r, 400));
    await notifier!.drain(5000);
    expect(sent).toEqual(['alone']);
  });
});
