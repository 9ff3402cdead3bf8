import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Relative URLs ('./assets/…'): the server adds a <base href> for its mount
// (TASKLANE_CONSOLE_MOUNT), so one build works at any mount. In development
// (`npm run dev`), /v1, /api, /auth… are proxied to a server on :8000.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:8000',
      '/api': { target: 'http://127.0.0.1:8000', ws: true },
      '/auth': 'http://127.0.0.1:8000',
      '/downloads': 'http://127.0.0.1:8000',
      '/cmb': 'http://127.0.0.1:8000',
    },
  },
});
