// The operator console: built at install (`npm run console:build`, root postinstall) into console/dist, which
// `facestream serve` serves at `/` (api/app.ts). Everything is bundled: no CDN, no external fonts.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  // relative asset URLs: the console works wherever the API is mounted (a reverse proxy's sub-path too)
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: true },
});
