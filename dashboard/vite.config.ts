// Vite build of the operator dashboard: `dashboard/` -> `dist/dashboard/`, served by `oioi hub` under /dashboard/.
// Everything is bundled (map outlines included): the dashboard never fetches anything from the internet.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/dashboard/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
    // On a busy shared machine plugin timing notes are noise, not a problem of this build.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
