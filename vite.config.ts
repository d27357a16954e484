import { defineConfig } from 'vite'

// The browser page: the app lives in src/ui; the sample table ships in public/.
export default defineConfig({
  root: 'src/ui',
  publicDir: '../../public',
  server: { host: '127.0.0.1' },
  worker: { format: 'es' },
})
