import { Agent, request } from 'node:http'
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import { selfSignedCertificate } from './self-signed.js'

/** A running proxy: its https origin and how to stop it. */
export interface Http2Proxy {
  url: string
  close(): Promise<void>
}

// Hop-by-hop headers are HTTP/1.1 framing; HTTP/2 forbids them in a response.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'])

/**
 * Put an HTTP/2 (TLS, self-signed) front on an HTTP/1.1 test server. Browsers open at most six
 * HTTP/1.1 connections per origin, so a burst of parallel reads reaches an HTTP/1.1 server in
 * batches of six; over HTTP/2 (as GCS, R2 and CDNs serve) the whole burst arrives at once, and
 * the server's log shows the round trips the client actually waits for.
 */
export async function startHttp2Proxy(target: string): Promise<Http2Proxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity })
  const server = createSecureServer({ ...selfSignedCertificate(), allowHTTP1: true }, (req, res) => forward(target, agent, req, res))
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the HTTP/2 proxy has no TCP address')
  return {
    url: `https://127.0.0.1:${address.port}`,
    close: () => {
      agent.destroy()
      return new Promise((done) => server.close(() => done()))
    },
  }
}

function forward(target: string, agent: Agent, req: Http2ServerRequest, res: Http2ServerResponse): void {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) {
    if (!k.startsWith(':') && typeof v === 'string' && !HOP_BY_HOP.has(k)) headers[k] = v
  }
  const upstream = request(`${target}${req.url}`, { method: req.method, headers, agent }, (up) => {
    const out: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
    res.writeHead(up.statusCode ?? 502, out)
    up.pipe(res)
  })
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502)
    res.end()
  })
  req.pipe(upstream)
}
