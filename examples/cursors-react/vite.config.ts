// A plain Vite + React config. `@ghost/*` resolve to the workspace sources, so the app runs without
// building the packages first (an app of yours imports the published packages instead).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const source = (name: string) => fileURLToPath(new URL(`../../packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: { '@ghost/client': source('client'), '@ghost/react': source('react'), '@ghost/protocol': source('protocol') },
  },
  // Known up front: a dependency found while the page loads would make Vite reload it.
  optimizeDeps: { include: ['react', 'react/jsx-dev-runtime', 'react-dom/client', 'eventemitter3', 'isomorphic-ws'] },
});
