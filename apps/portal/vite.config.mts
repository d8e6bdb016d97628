// The portal's bundle: React compiled by Vite into static files under dist/apps/portal, which
// the gateway serves at /portal (apps/gateway/src/portal/portal.routes.ts). Asset names carry
// a content hash, so the gateway caches them for a year; no inline script or style is emitted
// (the gateway's CSP allows neither). Each page is a chunk of its own, fetched when first
// shown (app.tsx): the charts, most of the weight, load only with the pages that draw them.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/portal/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/portal', import.meta.url)),
    emptyOutDir: true,
    // an inlined asset would be a data: URL; keep every asset a file of its own
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 500,
  },
});
