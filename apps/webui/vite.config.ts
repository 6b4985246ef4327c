import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Built into dist/ (committed, so the master serves the UI without a build step): index.html
// plus hashed assets under assets/, all loaded relative to the page.
export default defineConfig({
  plugins: [preact()],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, chunkSizeWarningLimit: 200 },
});
