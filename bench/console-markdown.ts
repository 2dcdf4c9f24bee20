// The "Operator console" section of docs/BENCHMARKS.md and its row of the goals table, from the console part's
// results (pure).
import { percentiles } from './camera-density-stats.ts';
import type { ConsoleResults } from './console.ts';
import type { FirstScreenTimes } from '../test/console/measure.ts';

/** Issue 6: the console's JavaScript under 300 KB gzipped, its first screen usable in under 1 s on loopback. */
export const CONSOLE_GOAL = { jsGzipKb: 300, firstScreenMs: 1000 } as const;
const GOAL_TEXT = `console JS ≤ ${CONSOLE_GOAL.jsGzipKb} KB gzipped; first screen < ${CONSOLE_GOAL.firstScreenMs / 1000} s on loopback`;

const KINDS: readonly (readonly [keyof FirstScreenTimes, string])[] = [
  ['freshMs', 'first page of a browser just started on an empty profile'],
  ['emptyCacheMs', 'the same page again after its HTTP cache is emptied (CDP `Network.clearBrowserCache`)'],
  ['reloadMs', 'reload (the hashed assets cached)'],
];
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const spread = (r: ConsoleResults, kind: keyof FirstScreenTimes) => percentiles(r.runs.map((t) => t[kind]))!;
/** the slowest first screen of any kind in any repetition: what the goal is judged on */
const worstMs = (r: ConsoleResults) => Math.max(...KINDS.map(([k]) => spread(r, k).max));

export function consoleGoalRow(r: ConsoleResults): string[] {
  const jsOk = r.assets.jsGzipBytes <= CONSOLE_GOAL.jsGzipKb * 1024;
  const screenOk = worstMs(r) < CONSOLE_GOAL.firstScreenMs;
  const medians = KINDS.map(([k]) => spread(r, k).p50).join(' / ');
  return [
    GOAL_TEXT,
    `JS **${kb(r.assets.jsGzipBytes)} KB** gzipped (CSS ${kb(r.assets.cssGzipBytes)} KB); first screen median ${medians} ms (fresh browser / empty cache / reload), slowest **${worstMs(r)} ms** of ${r.runs.length} browsers`,
    jsOk && screenOk ? 'met' : `**not met**${jsOk ? ' (first screen)' : screenOk ? ' (JS size)' : ''}`,
  ];
}

/** `when`: the run's start and commit, since `--into` may put this section into a file of another run */
export function consoleSection(r: ConsoleResults, produced: string, when: string): string {
  const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
    [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  return [
    '## Operator console: size and first screen',
    '',
    `${produced} Measured ${when}; the part started at ${r.startedAt}.`,
    '',
    'The console built from the source as it is (`vite build console`, NODE_ENV=production, as `npm run console:build`), its assets gzipped at the default level:',
    '',
    table(
      ['asset', 'files', 'gzipped (KB)'],
      [
        ['JavaScript', r.assets.jsFiles, kb(r.assets.jsGzipBytes)],
        ['CSS', r.assets.cssFiles, kb(r.assets.cssGzipBytes)],
      ],
    ),
    '',
    `First screen: the console served with the API on 127.0.0.1 as \`facestream serve\` serves it (PGlite, one administrator), opened in Debian's headless Chromium (playwright-core). ` +
      `The time is the page's own clock (\`performance.now()\`, from the start of navigation) when the login form is in the document, polled each frame. ` +
      `${r.runs.length} browsers, each started on an empty profile (test/console/measure.ts, the browser test's measurement):`,
    '',
    table(
      ['navigation', 'median (ms)', 'max (ms)', 'each browser (ms)'],
      KINDS.map(([k, what]) => {
        const s = spread(r, k);
        return [what, s.p50, s.max, r.runs.map((t) => Math.round(t[k])).join(', ')];
      }),
    ),
  ].join('\n');
}
