// Gender on video: the shared clips whose people are known (bench/data/video-people.json), analysed with the
// default configuration. Scored per event (each posted best shot) and per track (the majority of its events),
// because video faces are smaller and less frontal than the deepface photos that bench/accuracy.ts scores.
//
//   node bin/run-ts.js bench/video-gender.ts
import '../pipelines/ingest/promise-with-resolvers.ts';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { analyze } from '../cli/analyze.ts';
import { VIDEO } from '../test/paths.ts';

type Sex = 'male' | 'female';

interface PeopleFile {
  readonly clips: ReadonlyArray<{ readonly clip: string; readonly people: ReadonlyArray<{ readonly sex: Sex; readonly x: readonly [number, number] }> }>;
}

export interface VideoGenderClip {
  readonly clip: string;
  readonly events: number;
  readonly correctEvents: number;
  readonly tracks: number;
  readonly correctTracks: number;
}

export interface VideoGenderReport {
  readonly clips: readonly VideoGenderClip[];
  readonly events: number;
  readonly correctEvents: number;
  readonly tracks: number;
  readonly correctTracks: number;
}

const people = JSON.parse(readFileSync(new URL('./data/video-people.json', import.meta.url), 'utf8')) as PeopleFile;

export async function measureVideoGender(): Promise<VideoGenderReport> {
  const clips: VideoGenderClip[] = [];
  for (const { clip, people: who } of people.clips) {
    const { report } = await analyze({ source: VIDEO(clip), overrides: {}, progress: false, printEvents: false, logLevel: 'warn' });
    const votes = new Map<string, { truth: Sex; right: number; wrong: number }>();
    let events = 0;
    let correctEvents = 0;
    for (const e of report.events) {
      const centre = e.bbox_rel.x + e.bbox_rel.w / 2;
      const truth = who.find((p) => centre >= p.x[0] && centre < p.x[1])?.sex;
      const said = e.attributes.gender?.name;
      if (!truth || !said) continue;
      events++;
      const v = votes.get(e.track_id) ?? { truth, right: 0, wrong: 0 };
      if (said === truth) {
        correctEvents++;
        v.right++;
      } else v.wrong++;
      votes.set(e.track_id, v);
    }
    const correctTracks = [...votes.values()].filter((v) => v.right > v.wrong).length;
    clips.push({ clip, events, correctEvents, tracks: votes.size, correctTracks });
  }
  const sum = (k: 'events' | 'correctEvents' | 'tracks' | 'correctTracks') => clips.reduce((s, c) => s + c[k], 0);
  return { clips, events: sum('events'), correctEvents: sum('correctEvents'), tracks: sum('tracks'), correctTracks: sum('correctTracks') };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await measureVideoGender(), null, 2));
}
