// The console's two figures of issue 6, measured one way for the browser test (test/console/console.test.ts) and the
// bench (bench/console.ts): the gzipped size of the built JavaScript and CSS, and how long the first screen (the
// login form) takes to be usable after navigation, in Debian's Chromium (playwright-core, never a browser download).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CONSOLE_DIST } from '../../console/serve.ts';
import { REPO } from '../paths.ts';

// launch flags for this machine's closed network (no background connections, no first-run work)
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Debian's Chromium installed, and the console built from the source as it is now, as `npm run console:build` builds
 * it at install (a child process with NODE_ENV=production: under vitest NODE_ENV is 'test', which would bundle the JSX
 * development runtime and misstate the size).
 */
export function prepareConsole(): void {
  execFileSync('bash', [join(REPO, 'infra/install-browser.sh')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', 'console', '--logLevel', 'warn'], {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

/** Chromium with a profile of its own in `profile` (an empty directory: a fresh browser) and its first page. */
export async function launchChromium(profile: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

export interface AssetSizes {
  readonly jsGzipBytes: number;
  readonly jsFiles: number;
  readonly cssGzipBytes: number;
  readonly cssFiles: number;
}

/** The built assets gzipped (the default level, as a server compresses them), JavaScript and CSS apart. */
export function consoleAssetSizes(dist = CONSOLE_DIST): AssetSizes {
  const files = readdirSync(join(dist, 'assets'));
  const gzipped = (ext: string) => {
    const of = files.filter((f) => f.endsWith(ext));
    return { bytes: of.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, 'assets', f))).length, 0), files: of.length };
  };
  const js = gzipped('.js');
  const css = gzipped('.css');
  return { jsGzipBytes: js.bytes, jsFiles: js.files, cssGzipBytes: css.bytes, cssFiles: css.files };
}

/** ms from the start of navigation until the login form is there, on the page's own clock (polled each frame) */
export interface FirstScreenTimes {
  /** the first page of a browser just started on an empty profile */
  readonly freshMs: number;
  /** a first visit of a running browser: its HTTP cache emptied */
  readonly emptyCacheMs: number;
  /** the page reloaded, its hashed assets cached */
  readonly reloadMs: number;
}

/** The three first-screen times of `url`; `page` must be the first page of a browser just launched on an empty profile. */
export async function firstScreenTimes(context: BrowserContext, page: Page, url: string): Promise<FirstScreenTimes> {
  const usableAt = () => page.waitForFunction("document.querySelector('input[name=username]') && performance.now()").then((h) => h.jsonValue() as Promise<number>);
  await page.goto(url);
  const freshMs = await usableAt();
  await (await context.newCDPSession(page)).send('Network.clearBrowserCache');
  await page.goto('about:blank');
  await page.goto(url);
  const emptyCacheMs = await usableAt();
  await page.reload();
  const reloadMs = await usableAt();
  return { freshMs, emptyCacheMs, reloadMs };
}
