// One-line renderings of events and episodes for the terminal, as they happen.
import type { EpisodeChange, FaceEvent } from '../schemas/records.ts';

export function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${String(m).padStart(2, '0')}:${s.toFixed(2).padStart(5, '0')}`;
}

export function formatEvent(e: FaceEvent): string {
  const { post, attributes } = e.embedding;
  const who = e.matched
    ? `MATCH ${e.dossier} (${e.confidence.toFixed(2)})`
    : e.candidates[0]
      ? `unknown (closest ${e.candidates[0].dossier} ${e.candidates[0].confidence.toFixed(2)})`
      : 'unknown';
  const traits = [`q ${post.face.quality.toFixed(1)}`, attributes.gender?.name, attributes.liveness?.name].filter(Boolean).join(', ');
  return `[${clock(post.frame.t_s)}] event ${e.id} ${post.trackId} ${post.postType}#${post.postNo}: ${who} — ${traits}`;
}

export function formatEpisode(c: EpisodeChange): string {
  const who = c.dossier ?? 'unknown';
  if (c.kind === 'open') return `[${clock(c.startT)}] episode ${c.episodeId} opened: ${who}`;
  if (c.kind === 'close') return `[${clock(c.endT)}] episode ${c.episodeId} closed: ${who}, ${c.eventsCount} events, ${clock(c.startT)}–${clock(c.endT)}`;
  return '';
}
