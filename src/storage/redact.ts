import { DeltaError } from '../delta/engine/errors.js'

const REDACTED = '[redacted]'
// A URL's query and fragment: where presigned signatures, SAS tokens and API keys travel.
const URL_WITH_QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>`]*)[?#][^\s"'<>`]*/gi
// A bare query string of two or more parameters (a SAS token given without its URL).
const BARE_QUERY = /[?&]?[\w.%-]+=[^\s&"'<>`]*(?:&[\w.%-]+=[^\s&"'<>`]*)+/g
// Userinfo in a URL (`https://user:password@host`).
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>`]+@/gi
// Shortest value worth hunting for: shorter ones (`*`, `0`) would mangle every message.
const MIN_SECRET = 6
const MAX_CAUSE_DEPTH = 4

/**
 * `text` without secrets: each of `secrets` (the signed URL, its query and its parameter values,
 * the request's header values) replaced, every URL's query and fragment dropped, every bare
 * query string of several parameters and every URL's userinfo dropped.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= MIN_SECRET) out = out.split(s).join(REDACTED)
  }
  return out
    .replace(URL_WITH_QUERY, (_, base: string) => `${base}?${REDACTED}`)
    .replace(USERINFO, (_, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(BARE_QUERY, REDACTED)
}

/**
 * The values of a signed request that must never reach an error: the URL, its query string and
 * each parameter value (raw and decoded), and the values of headers other than the few harmless
 * protocol ones the storage sets itself.
 */
export function secretsOf(url: string, headers: Headers | Record<string, string> | undefined): string[] {
  const out = [url]
  const q = Math.min(...['?', '#'].map((c) => (url.includes(c) ? url.indexOf(c) : url.length)))
  if (q < url.length) {
    const query = url.slice(q + 1)
    out.push(query)
    for (const part of query.split(/[&#]/)) {
      const value = part.slice(part.indexOf('=') + 1)
      out.push(value)
      try {
        out.push(decodeURIComponent(value.replace(/\+/g, ' ')))
      } catch {
        // Not valid percent-encoding: the raw value is already listed.
      }
    }
  }
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers ?? {})
  for (const [name, value] of entries) if (!HARMLESS_HEADERS.has(name.toLowerCase())) out.push(value)
  return out.filter((s) => s.length >= MIN_SECRET)
}

const HARMLESS_HEADERS = new Set(['range', 'if-none-match', 'x-goog-if-generation-match', 'x-ms-blob-type', 'content-type'])

/**
 * `e` as a DeltaError fit to leave the storage: message redacted (see {@link redactText}) and
 * its cause chain replaced by plain copies holding only a name, a redacted message and stack,
 * and a short `code` (an errno such as `ECONNREFUSED`), never the original objects (fetch's
 * errors carry the URL in fields such as `input`). A value that is not a DeltaError becomes an
 * `Internal` one with `fallback` as its message.
 */
export function sanitizeError(e: unknown, secrets: readonly string[], fallback: string): DeltaError {
  if (e instanceof DeltaError) {
    const cause = sanitizeCause(e.cause, secrets, 0)
    return new DeltaError(e.code, redactText(e.message, secrets), cause === undefined ? undefined : { cause })
  }
  const cause = sanitizeCause(e, secrets, 0)
  return new DeltaError('Internal', redactText(fallback, secrets), cause === undefined ? undefined : { cause })
}

function sanitizeCause(e: unknown, secrets: readonly string[], depth: number): Error | undefined {
  if (e === undefined || e === null || depth >= MAX_CAUSE_DEPTH) return undefined
  const source = e instanceof Error ? e : undefined
  const copy = new Error(redactText(source ? source.message : String(e), secrets))
  if (source) {
    copy.name = redactText(source.name, secrets)
    copy.stack = redactText(source.stack ?? '', secrets)
    const code = (source as { code?: unknown }).code
    if (typeof code === 'string' && /^[\w.-]{1,40}$/.test(code)) (copy as Error & { code?: string }).code = code
    const inner = sanitizeCause(source.cause, secrets, depth + 1)
    if (inner !== undefined) copy.cause = inner
  }
  return copy
}

/** A short, redacted description of what a failed call threw, for a message. */
export function describeFailure(e: unknown, secrets: readonly string[]): string {
  const message = e instanceof Error ? e.message : String(e)
  const code = (e as { cause?: { code?: unknown } } | null)?.cause?.code
  const text = typeof code === 'string' && /^[\w.-]{1,40}$/.test(code) && !message.includes(code) ? `${message}: ${code}` : message
  return redactText(text, secrets).slice(0, 300)
}
