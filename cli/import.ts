// `facestream import`: bulk enrolment of a watch-list folder or a TSV table through the HTTP API (FindFace's batch
// upload and console uploader). Missing dossiers are created (on the watch list, when one is named), photos are
// uploaded a few at a time, and every photo's outcome goes to the report. Re-running is safe: a photo a dossier
// already holds under the same name (its path relative to the folder or table) is not uploaded again.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { listImportPhotos, type ImportPhoto } from '../enrolment/photo-table.ts';
import { ApiClient, type ApiErrorBody } from './import-client.ts';

export interface ImportOptions {
  /** a watch-list folder or a .tsv table */
  readonly source: string;
  /** the API's base URL, e.g. http://127.0.0.1:8080 */
  readonly api: string;
  readonly auth: { readonly token: string } | { readonly user: string; readonly password: string };
  /** the watch list new dossiers go on (created when missing); absent: dossiers on no list */
  readonly watchList?: string;
  /** uploads at a time */
  readonly parallel: number;
  readonly mfSelector?: 'reject' | 'biggest';
  /** where the JSON report goes */
  readonly report?: string;
  /** a progress bar on a terminal */
  readonly progress: boolean;
}

export type Outcome = 'enrolled' | 'already_enrolled' | 'rejected' | 'failed';

export interface PhotoOutcome {
  readonly photo: string;
  readonly dossier: string;
  readonly dossier_id: number | null;
  readonly outcome: Outcome;
  /** enrolled: the new dossier face */
  readonly face_id?: number;
  /** enrolled: other dossiers that already hold this face (the API's duplicate-dossier warning) */
  readonly duplicates?: ReadonlyArray<{ readonly dossier: number; readonly name: string; readonly confidence: number }>;
  /** rejected or failed: the HTTP status (0 when there was no answer) */
  readonly status?: number;
  /** rejected or failed: the API's reason (no_face, several_faces, low_quality, unsupported_format, too_large …) or error code */
  readonly reason?: string;
  readonly message?: string;
}

export interface ImportReport {
  readonly source: string;
  readonly api: string;
  readonly watch_list: { readonly id: number; readonly name: string } | null;
  readonly started: string;
  readonly finished: string;
  readonly summary: { readonly photos: number; readonly dossiers_created: number } & Readonly<Record<Outcome, number>>;
  readonly photos: readonly PhotoOutcome[];
}

interface Named {
  readonly id: number;
  readonly name: string;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A photo the API refused for what it is (too large, not an image, no usable face), not for a fault. */
const REJECTED_STATUSES = new Set([413, 415, 422]);

/** The progress bar on stderr when it is a terminal; nothing elsewhere. */
function progressBar(total: number, enabled: boolean) {
  if (!enabled || !process.stderr.isTTY) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {value}/{total} photos | enrolled {enrolled} | already {already_enrolled} | rejected {rejected} | failed {failed}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { enrolled: 0, already_enrolled: 0, rejected: 0, failed: 0 });
  return { tick: (counts: Record<Outcome, number>) => bar.increment(1, counts), stop: () => bar.stop() };
}

export async function importPhotos(o: ImportOptions): Promise<ImportReport> {
  const started = new Date();
  const photos = await listImportPhotos(o.source);
  const api = await ApiClient.connect(o.api, o.auth);

  let list: Named | null = null;
  if (o.watchList !== undefined) {
    list =
      (await api.all<Named>('/watch-lists')).find((l) => l.name === o.watchList) ?? (await api.ok<Named>('POST', '/watch-lists', { name: o.watchList }));
  }

  // the dossiers already there, by name (on the list, or every dossier the user sees), and the photos they hold
  const existing = new Map<string, number>();
  for (const d of await api.all<Named>(list ? `/dossiers?watch_list=${list.id}` : '/dossiers')) if (!existing.has(d.name)) existing.set(d.name, d.id);
  const held = new Map<number, Set<string>>();
  const wanted = [...new Set(photos.map((p) => p.dossier))];
  await eachBounded(
    wanted.filter((name) => existing.has(name)),
    o.parallel,
    async (name) => {
      const id = existing.get(name)!;
      held.set(id, new Set((await api.all<{ source_photo_name: string }>(`/dossier-faces?dossier=${id}`)).map((f) => f.source_photo_name)));
    },
  );

  // the missing dossiers, created once each; one that cannot be created fails its photos
  const comments = new Map<string, string>();
  for (const p of photos) if (p.comment !== undefined && !comments.has(p.dossier)) comments.set(p.dossier, p.comment);
  const dossierIds = new Map<string, number>(existing);
  const creationErrors = new Map<string, string>();
  let created = 0;
  await eachBounded(
    wanted.filter((name) => !existing.has(name)),
    o.parallel,
    async (name) => {
      const comment = comments.get(name);
      const r = await api.call<Named & ApiErrorBody>('POST', '/dossiers', { name, ...(comment ? { comment } : {}), ...(list ? { watch_list_ids: [list.id] } : {}) });
      if (r.status === 201) {
        dossierIds.set(name, r.body.id);
        created++;
      } else creationErrors.set(name, `the dossier could not be created: ${r.body.error?.message ?? `HTTP ${r.status}`}`);
    },
  );

  const counts: Record<Outcome, number> = { enrolled: 0, already_enrolled: 0, rejected: 0, failed: 0 };
  const outcomes = new Map<ImportPhoto, PhotoOutcome>();
  const bar = progressBar(photos.length, o.progress);
  const done = (p: ImportPhoto, outcome: PhotoOutcome) => {
    outcomes.set(p, outcome);
    counts[outcome.outcome]++;
    bar.tick(counts);
  };
  try {
    await eachBounded(photos, o.parallel, async (p) => {
      const id = dossierIds.get(p.dossier);
      const base = { photo: p.photo, dossier: p.dossier, dossier_id: id ?? null };
      if (id === undefined) return done(p, { ...base, outcome: 'failed', status: 0, message: creationErrors.get(p.dossier) ?? 'no dossier' });
      const names = held.get(id) ?? new Set<string>();
      held.set(id, names);
      // the same photo named twice in one source is enrolled once
      if (names.has(p.photo)) return done(p, { ...base, outcome: 'already_enrolled' });
      names.add(p.photo);
      let bytes: Buffer;
      try {
        bytes = await readFile(p.file);
      } catch (err) {
        return done(p, { ...base, outcome: 'failed', status: 0, message: `${p.photo}: ${(err as Error).message}` });
      }
      const form = new FormData();
      form.set('dossier', String(id));
      if (o.mfSelector) form.set('mf_selector', o.mfSelector);
      form.set('source_photo', new Blob([bytes]), p.photo);
      const r = await api.call<{ id: number; duplicates?: { dossier: number; name: string; confidence: number }[] } & ApiErrorBody>('POST', '/dossier-faces', form);
      if (r.status === 201) {
        const duplicates = (r.body.duplicates ?? []).map(({ dossier, name, confidence }) => ({ dossier, name, confidence }));
        return done(p, { ...base, outcome: 'enrolled', face_id: r.body.id, ...(duplicates.length ? { duplicates } : {}) });
      }
      names.delete(p.photo);
      const err = r.body.error;
      const outcome: Outcome = REJECTED_STATUSES.has(r.status) ? 'rejected' : 'failed';
      done(p, { ...base, outcome, status: r.status, reason: err?.reason ?? err?.code ?? `http_${r.status}`, message: err?.message ?? `HTTP ${r.status}` });
    });
  } finally {
    bar.stop();
  }

  const report: ImportReport = {
    source: o.source,
    api: api.base,
    watch_list: list ? { id: list.id, name: list.name } : null,
    started: started.toISOString(),
    finished: new Date().toISOString(),
    summary: { photos: photos.length, dossiers_created: created, ...counts },
    photos: photos.map((p) => outcomes.get(p)!),
  };
  if (o.report) await writeFile(o.report, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** The one-line summary printed at the end. */
export function summaryLine(r: ImportReport, reportFile?: string): string {
  const s = r.summary;
  return (
    `imported ${basename(r.source)}: ${s.photos} photos, ${s.enrolled} enrolled, ${s.already_enrolled} already enrolled, ${s.rejected} rejected, ${s.failed} failed; ` +
    `${s.dossiers_created} dossiers created${r.watch_list ? ` on watch list ${r.watch_list.name}` : ''}${reportFile ? `; report written to ${reportFile}` : ''}`
  );
}
