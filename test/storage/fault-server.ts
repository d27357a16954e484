// A local HTTP server whose every answer a test decides: statuses, short, cut or stalled bodies,
// servers that never answer. It records each request it saw.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/** A request the fault server saw, with its body. */
export interface FaultRequest {
  method: string
  /** The path as sent (still percent-encoded), without the query. */
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Buffer
  /** 1 for the first request the server saw. */
  n: number
}

/** Answers one request; may also never answer, or cut the connection. */
export type FaultHandler = (req: FaultRequest, res: ServerResponse) => void | Promise<void>

/** A running fault server. */
export interface FaultServer {
  url: string
  requests: FaultRequest[]
  /** Replace the handler (for the next requests). */
  handle(handler: FaultHandler): void
  close(): Promise<void>
}

/** Start a fault server on 127.0.0.1 with a free port. */
export async function startFaultServer(handler: FaultHandler = notFound): Promise<FaultServer> {
  const requests: FaultRequest[] = []
  let current = handler
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = req.url ?? '/'
      const q = raw.indexOf('?')
      const seen: FaultRequest = {
        method: req.method ?? '', path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)),
        headers: req.headers, body: Buffer.concat(chunks), n: requests.length + 1,
      }
      requests.push(seen)
      void Promise.resolve(current(seen, res)).catch(() => res.destroy())
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') throw new Error('no TCP address')
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    handle: (h) => (current = h),
    close: () => {
      server.closeAllConnections()
      return new Promise((done) => server.close(() => done()))
    },
  }
}

function notFound(_req: FaultRequest, res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>')
}

/** Answer with an S3-style XML error. */
export function replyError(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/xml', ...headers }).end(`<Error><Code>${code}</Code></Error>`)
}

/** Serve `bytes` as a file: HEAD, whole GET, and `bytes=a-b` ranges (206, clamped; 416 past the end). */
export function serveBytes(req: FaultRequest, res: ServerResponse, bytes: Uint8Array): void {
  const base = { 'Accept-Ranges': 'bytes', 'Last-Modified': new Date(Date.UTC(2024, 0, 1)).toUTCString() }
  const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ''))
  if (!m) {
    res.writeHead(200, { ...base, 'Content-Length': bytes.length })
    return void res.end(req.method === 'HEAD' ? undefined : Buffer.from(bytes))
  }
  const start = Number(m[1])
  const end = Math.min(Number(m[2]), bytes.length - 1)
  if (start >= bytes.length) return void res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end()
  res.writeHead(206, { ...base, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${bytes.length}` })
  res.end(req.method === 'HEAD' ? undefined : Buffer.from(bytes.subarray(start, end + 1)))
}

/** Send the answer's headers and the first `sent` bytes of a body of `bytes.length`, then cut the connection. */
export function cutAfter(res: ServerResponse, bytes: Uint8Array, sent: number, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': bytes.length, ...headers })
  res.write(Buffer.from(bytes.subarray(0, sent)), () => setTimeout(() => res.socket?.destroy(), 5))
}

/** Send the answer's headers and the first `sent` bytes, then nothing more, ever. */
export function stallAfter(res: ServerResponse, bytes: Uint8Array, sent: number): void {
  res.writeHead(200, { 'Content-Length': bytes.length })
  res.write(Buffer.from(bytes.subarray(0, sent)))
}
