import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The operator console: a static single-page app the gateway serves under /console (src/http/console-static.ts).
// Everything it needs is bundled here; nothing is fetched from a CDN at run time.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // No inline assets: the gateway's Content-Security-Policy allows scripts and styles from itself only.
    assetsInlineLimit: 0,
  },
});
