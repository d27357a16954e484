import { DeltaError } from '../delta/engine/errors.js'
import { shortReadError, type ByteRange } from '../delta/engine/storage.js'
import { AttemptFailure, type Exchange } from './http-transport.js'

// The first bytes of an error answer are enough for its service code.
const ERROR_BODY_BYTES = 4000

/** The whole file; a body shorter than its Content-Length was cut, and may be fetched again. */
export async function readWhole(ex: Exchange, path: string): Promise<Uint8Array> {
  const bytes = await ex.body()
  const declared = declaredLength(ex.response)
  if (declared !== undefined && bytes.length < declared) throw cutBody(path, bytes.length, declared)
  return bytes
}

/**
 * Exactly the bytes of `range`, from a 206 (checked against its Content-Range: another start is
 * `InvalidData`, a shorter body than it declares was cut) or from a 200 that holds the whole file
 * (a server that ignores Range). A body that ends before the range does is `InvalidData`.
 */
export async function readRange(ex: Exchange, path: string, range: ByteRange): Promise<Uint8Array> {
  const res = ex.response
  const declared = declaredLength(res)
  if (res.status === 206) {
    const content = parseContentRange(res.headers.get('Content-Range'))
    if (content && content.start !== range.offset) {
      throw new AttemptFailure(new DeltaError('InvalidData', `The server answered bytes ${content.start}-${content.end} of "${path}" when bytes from ${range.offset} were asked; it does not serve ranges correctly.`), false)
    }
    const bytes = await ex.body(range.length)
    if (bytes.length >= range.length) return bytes.slice(0, range.length)
    if (declared !== undefined && bytes.length < declared) throw cutBody(path, bytes.length, declared)
    const size = content?.total
    throw new AttemptFailure(shortReadError(path, range, size !== undefined ? { size } : { bytes: bytes.length }), false)
  }
  // A server that ignores Range answers 200 with the whole file: keep only what was asked.
  const end = range.offset + range.length
  const bytes = await ex.body(end)
  if (bytes.length >= end) return bytes.slice(range.offset, end)
  if (declared !== undefined && bytes.length < declared) throw cutBody(path, bytes.length, declared)
  throw new AttemptFailure(shortReadError(path, range, { size: bytes.length }), false)
}

function cutBody(path: string, got: number, declared: number): AttemptFailure {
  return new AttemptFailure(new DeltaError('Unavailable', `The answer for "${path}" was cut after ${got} of its ${declared} bytes; retry later.`), true)
}

// Content-Length counts the encoded body: only a body sent as is can be checked against it.
function declaredLength(res: Response): number | undefined {
  if (res.headers.has('Content-Encoding')) return undefined
  const n = Number(res.headers.get('Content-Length') ?? Number.NaN)
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

function parseContentRange(value: string | null): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value?.trim() ?? '')
  if (!m) return undefined
  const total = m[3] === '*' ? undefined : Number(m[3])
  return { start: Number(m[1]), end: Number(m[2]), ...(total === undefined ? {} : { total }) }
}

/** The first bytes of an error answer as text, or '' when they cannot be read. */
export async function errorBody(ex: Exchange): Promise<string> {
  try {
    return new TextDecoder().decode(await ex.body(ERROR_BODY_BYTES)).slice(0, ERROR_BODY_BYTES)
  } catch {
    return ''
  }
}
