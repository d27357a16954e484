import { readdir, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join, resolve, sep } from 'node:path'
import { defineConfig, type Plugin } from 'vite'

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Answer S3 ListObjectsV2 (`?list-type=2`, delimiter `/`) for folders of public/, treating the
 * request path as the bucket: a static dev server cannot list, and the reader lists the log.
 */
async function listPublicFolder(publicDir: string, req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.searchParams.get('list-type') !== '2') {
    // Storage clients encode every reserved character of a key ('=' of partition folders as
    // %3D); Vite matches public files after decodeURI, which leaves those encoded.
    req.url = url.pathname.split('/').map((part) => encodeURI(decodeURIComponent(part))).join('/') + url.search
    return next()
  }
  const bucket = resolve(publicDir, `.${decodeURIComponent(url.pathname)}`)
  const prefix = url.searchParams.get('prefix') ?? ''
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1)
  const dir = resolve(bucket, ...folder.split('/').filter(Boolean))
  if (!(dir + sep).startsWith(resolve(publicDir) + sep)) return void res.writeHead(403).end()
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const after = url.searchParams.get('start-after') ?? ''
  const keys = entries.filter((e) => e.isFile()).map((e) => folder + e.name).filter((k) => k.startsWith(prefix) && k > after).sort()
  const contents = await Promise.all(keys.map(async (key) => {
    const info = await stat(join(dir, key.slice(folder.length)))
    return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${info.mtime.toISOString()}</LastModified><Size>${info.size}</Size></Contents>`
  }))
  res.writeHead(200, { 'Content-Type': 'application/xml' })
  res.end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`)
}

function s3ListingOfPublic(): Plugin {
  let publicDir = ''
  // Returns nothing: a function returned from configureServer would run as a post hook.
  const use = (server: { middlewares: { use(fn: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): unknown } }): void => {
    server.middlewares.use((req, res, next) => void listPublicFolder(publicDir, req, res, next).catch(() => res.writeHead(500).end()))
  }
  return {
    name: 'deltalake-s3-listing-of-public',
    configResolved: (config) => void (publicDir = config.publicDir),
    configureServer: use,
    configurePreviewServer: use,
  }
}

// The browser page: the app lives in src/ui; the sample table ships in public/.
export default defineConfig({
  root: 'src/ui',
  publicDir: '../../public',
  // 'mpa': a missing file is a 404, not index.html, which a reader would take for a log file.
  appType: 'mpa',
  // 127.0.0.1 is a secure context (OPFS, Web Locks and the folder picker need one).
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  plugins: [s3ListingOfPublic()],
  worker: { format: 'es' },
  // Pre-bundling would move parquet-wasm away from its .wasm file, which it finds by
  // `new URL('parquet_wasm_bg.wasm', import.meta.url)`.
  optimizeDeps: { exclude: ['parquet-wasm'] },
})
