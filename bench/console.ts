// The operator console (issue 6): its JavaScript and CSS gzipped, and how long its first screen (the login form) takes
// to be usable after navigation on loopback, in Debian's Chromium. The console is built from the source as it is now
// and served with the API as `facestream serve` serves it (buildApi over PGlite, one administrator, so the login is
// the screen a first visit shows); the measurement itself is the browser test's (test/console/measure.ts). Each
// repetition is a browser started on an empty profile: its first page, the same page after its HTTP cache is emptied,
// and a reload.
//
//   node bin/run-ts.js bench/console.ts     prints the JSON results
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { testApi } from '../api/testing.ts';
import { ensureFirstAdmin } from '../api/auth/bootstrap.ts';
import { openDatabase } from '../stores/postgres/open.ts';
import { consoleAssetSizes, firstScreenTimes, launchChromium, prepareConsole, type AssetSizes, type FirstScreenTimes } from '../test/console/measure.ts';
import type { QuietGate } from './memory.ts';

export const CONSOLE_RUNS = 5;

export interface ConsoleResults {
  readonly startedAt: string;
  readonly assets: AssetSizes;
  /** one per browser started on an empty profile */
  readonly runs: readonly FirstScreenTimes[];
}

export async function measureConsole(opts: { readonly log: (line: string) => void; readonly gate?: QuietGate; readonly runs?: number }): Promise<ConsoleResults> {
  const startedAt = new Date().toISOString();
  opts.log('console: building it (vite, NODE_ENV=production) and checking Chromium');
  prepareConsole();
  const assets = consoleAssetSizes();
  const { db } = await openDatabase({});
  const app = await testApi({ db, as: 'anonymous' });
  try {
    await ensureFirstAdmin(db, undefined);
    const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/`;
    const runs: FirstScreenTimes[] = [];
    for (let i = 1; i <= (opts.runs ?? CONSOLE_RUNS); i++) {
      await opts.gate?.wait();
      const profile = mkdtempSync(join(tmpdir(), 'facestream-bench-chromium-'));
      const { context, page } = await launchChromium(profile);
      try {
        runs.push(await firstScreenTimes(context, page, url));
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
      const t = runs.at(-1)!;
      opts.log(`  browser ${i}: first screen ${t.freshMs.toFixed(0)} ms fresh, ${t.emptyCacheMs.toFixed(0)} ms empty cache, ${t.reloadMs.toFixed(0)} ms reload`);
    }
    return { startedAt, assets, runs };
  } finally {
    await app.close();
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await measureConsole({ log: (line) => console.error(line) }), null, 2));
}
