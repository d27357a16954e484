// A tiny read-only static server for the HTTP workloads: GET/HEAD with `bytes=a-b` ranges,
// S3 ListObjectsV2 of one folder (with start-after), and a fixed latency added to every answer
// about the table. It runs as its own process (`node bench/lib/static-server.js <root>
// <latencyMs> [pageRoot]`), so serving never competes with the measured process for its event
// loop, as a remote server would not. It prints `LISTENING <url>` and stops when stdin closes.
//
// Without a page root the table is served at `/`. With one, the table is under `/table` and
// the page's files (no latency) everywhere else: one origin, so a browser sends no CORS
// preflights that would add round trips of their own. `/__bench/requests` answers the table
// requests seen since `/__bench/reset`, with arrival and finish times, to count waves.
// Given a TLS key and certificate (env BENCH_TLS_KEY / BENCH_TLS_CERT, PEM), it speaks HTTP/2
// over TLS (HTTP/1.1 too), as GCS, R2 and CDNs do: a browser opens at most six HTTP/1.1
// connections per origin, which would split a burst of parallel reads into extra waves.
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createSecureServer } from 'node:http2'
import { extname, join, resolve, sep } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

/**
 * Start the server in a child process; resolves with its URL and a `close()`.
 * @param {string} root
 * @param {number} latencyMs
 * @param {string} [pageRoot]
 * @param {{ key: string, cert: string }} [tls] serve HTTP/2 over TLS with this key and certificate
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function spawnStaticServer(root, latencyMs, pageRoot, tls) {
  const args = [fileURLToPath(import.meta.url), root, String(latencyMs), ...(pageRoot ? [pageRoot] : [])]
  const env = tls ? { ...process.env, BENCH_TLS_KEY: tls.key, BENCH_TLS_CERT: tls.cert } : process.env
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], env })
  const exited = new Promise((done) => child.once('exit', done))
  return new Promise((done, fail) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const m = /LISTENING (\S+)/.exec(out)
      if (m) done({ url: m[1], close: async () => { child.stdin.end(); await exited } })
    })
    child.once('exit', (code) => fail(new Error(`the static server exited (${code}) before listening`)))
  })
}

/**
 * Group requests into sequential waves: taken in arrival order, a request joins the current
 * wave when it arrived before the earliest finish among that wave's requests (so it cannot have
 * waited on any of them), and opens a new wave otherwise. Returns each wave's size.
 * @param {{ arrived: number, finished?: number }[]} requests
 */
export function waveSizes(requests) {
  const sizes = []
  let earliestEnd = Number.NEGATIVE_INFINITY
  for (const r of [...requests].sort((a, b) => a.arrived - b.arrived)) {
    const end = r.finished ?? Number.POSITIVE_INFINITY
    if (sizes.length > 0 && r.arrived < earliestEnd) {
      sizes[sizes.length - 1]++
      earliestEnd = Math.min(earliestEnd, end)
    } else {
      sizes.push(1)
      earliestEnd = end
    }
  }
  return sizes
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' }

function serve(root, latencyMs, pageRoot) {
  let log = []
  const tls = process.env.BENCH_TLS_KEY && process.env.BENCH_TLS_CERT
    ? { key: process.env.BENCH_TLS_KEY, cert: process.env.BENCH_TLS_CERT, allowHTTP1: true }
    : undefined
  const handle = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/__bench/requests') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(log))
    if (url.pathname === '/__bench/reset') {
      log = []
      return void res.writeHead(204).end()
    }
    const table = !pageRoot || url.pathname === '/table' || url.pathname.startsWith('/table/')
    if (!table) return void answer(pageRoot, url.pathname, url, req, res).catch(() => res.writeHead(500).end())
    const entry = { method: req.method, path: url.pathname + url.search, range: req.headers.range, arrived: performance.now() }
    log.push(entry)
    res.once('finish', () => (entry.finished = performance.now()))
    const path = pageRoot ? url.pathname.slice('/table'.length) || '/' : url.pathname
    setTimeout(() => void answer(root, path, url, req, res).catch(() => res.writeHead(500).end()), latencyMs)
  }
  const server = tls ? createSecureServer(tls, handle) : createServer(handle)
  // Idle keep-alive sockets must outlive the pauses between runs: a socket the server closes
  // just as the client reuses it fails the request (undici's "other side closed").
  if (!tls) server.keepAliveTimeout = 10 * 60_000
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`LISTENING ${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}\n`)
  })
  // Exit without waiting for open HTTP/2 sessions to drain: the browser is gone by then.
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
}

async function answer(root, pathname, url, req, res) {
  if (pathname === '/' && url.searchParams.get('list-type') === '2') {
    return void res.writeHead(200, { 'Content-Type': 'application/xml' }).end(await listFolder(root, url.searchParams))
  }
  const file = resolve(root, ...pathname.split('/').filter(Boolean).map(decodeURIComponent))
  const info = file === root || file.startsWith(root + sep) ? await stat(file).catch(() => undefined) : undefined
  if (!info?.isFile()) return void res.writeHead(404, { 'Content-Type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>')
  const headers = { 'Accept-Ranges': 'bytes', 'Last-Modified': info.mtime.toUTCString(), 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
  if (!m) {
    res.writeHead(200, { ...headers, 'Content-Length': info.size })
    return void (req.method === 'HEAD' ? res.end() : createReadStream(file).pipe(res))
  }
  const start = Number(m[1])
  const end = Math.min(m[2] ? Number(m[2]) : info.size - 1, info.size - 1)
  if (start >= info.size) return void res.writeHead(416, { 'Content-Range': `bytes */${info.size}` }).end()
  res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${info.size}` })
  return void (req.method === 'HEAD' ? res.end() : createReadStream(file, { start, end }).pipe(res))
}

// One page holding every key of one folder after start-after: the log folders listed here are small.
async function listFolder(root, query) {
  const prefix = query.get('prefix') ?? ''
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1)
  const after = query.get('start-after') ?? ''
  const entries = await readdir(join(root, ...folder.split('/').filter(Boolean)), { withFileTypes: true }).catch(() => [])
  const keys = entries.filter((e) => e.isFile()).map((e) => folder + e.name).filter((k) => k.startsWith(prefix) && k > after).sort()
  const contents = await Promise.all(keys.map(async (key) => {
    const info = await stat(join(root, ...key.split('/')))
    return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${info.mtime.toISOString()}</LastModified><Size>${info.size}</Size></Contents>`
  }))
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`
}

function escapeXml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(resolve(process.argv[2]), Number(process.argv[3] ?? 0), process.argv[4] && resolve(process.argv[4]))
