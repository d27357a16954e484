import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { extname, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.parquet': 'application/octet-stream',
}

/** The page server: its origin, the bytes pages posted, and how to stop it. */
export interface PageServer {
  /** `http://127.0.0.1:<port>`: a secure context, as OPFS and Web Locks need. */
  url: string
  /** Take (and forget) the bytes a page posted to `/__blob` under `id`. */
  takeBlob(id: string): Uint8Array
  close(): Promise<void>
}

/**
 * Serve a built page folder on 127.0.0.1 with the MIME types browsers insist on for module
 * scripts and streaming wasm compilation. `POST /__blob` stores a body and answers its id: the
 * page's way of handing large Arrow IPC results to the test without base64 through Playwright.
 */
export async function servePage(dir: string): Promise<PageServer> {
  const root = resolve(dir)
  const blobs = new Map<string, Uint8Array>()
  let nextBlob = 0
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/__blob') return void receiveBlob(req, res, blobs, String(nextBlob++))
    void serveFile(root, req, res).catch(() => res.writeHead(500).end())
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the page server has no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    takeBlob: (id) => {
      const bytes = blobs.get(id)
      if (!bytes) throw new Error(`the page posted no blob ${id}`)
      blobs.delete(id)
      return bytes
    },
    close: () => {
      server.closeAllConnections()
      return new Promise((done) => server.close(() => done()))
    },
  }
}

function receiveBlob(req: IncomingMessage, res: ServerResponse, blobs: Map<string, Uint8Array>, id: string): void {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    blobs.set(id, new Uint8Array(Buffer.concat(chunks)))
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(id)
  })
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`)
  const info = file.startsWith(root + sep) ? await stat(file).catch(() => undefined) : undefined
  if (!info?.isFile()) return void res.writeHead(404).end()
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': info.size, 'Cache-Control': 'no-store' })
  createReadStream(file).pipe(res)
}
