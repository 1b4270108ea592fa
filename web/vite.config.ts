import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The explorer page, built into web/dist for the server to serve at /.
// Vite prints each file's gzipped size; the whole page must stay under 250 KB.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } } },
});
