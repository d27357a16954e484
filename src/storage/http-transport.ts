import { DeltaError } from '../delta/engine/errors.js'
import type { FailureContext } from './http-errors.js'
import { describeFailure } from './redact.js'

/** The subset of `fetch` the storage uses; pass one to add logging or a proxy. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/**
 * One failed attempt of a request: the error to report, whether a retry may help, and how long
 * the server asked us to wait. Stays inside the HTTP storage.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly error: DeltaError,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(error.message)
  }
}

// setTimeout fires at once for delays past 2^31 - 1 ms.
const MAX_TIMER = 2_147_483_647

/**
 * Aborts a request that makes no progress for `stallMs` (no answer, or no body bytes), or whose
 * caller's signal is aborted, and remembers which of the two it was.
 */
class Watchdog {
  readonly controller = new AbortController()
  stalled = false
  readonly #stallMs: number
  readonly #detach: (() => void) | undefined
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(stallMs: number, outer: AbortSignal | undefined) {
    this.#stallMs = stallMs
    if (outer?.aborted) this.controller.abort()
    else if (outer) {
      const onAbort = (): void => this.controller.abort()
      outer.addEventListener('abort', onAbort, { once: true })
      this.#detach = () => outer.removeEventListener('abort', onAbort)
    }
  }

  arm(extraMs = 0): void {
    this.disarm()
    const ms = this.#stallMs + extraMs
    if (Number.isFinite(ms)) {
      this.#timer = setTimeout(() => {
        this.stalled = true
        this.controller.abort()
      }, Math.min(ms, MAX_TIMER))
    }
  }

  disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  close(): void {
    this.disarm()
    this.#detach?.()
  }
}

/** A request to send: where, how, and the limits it runs under. */
export interface ExchangeSpec {
  fetch: FetchLike
  url: string
  init: RequestInit
  ctx: FailureContext
  /** The caller's signal: aborting it fails the request with `Cancelled`. */
  signal: AbortSignal | undefined
  /** Longest wait for the answer or for the next body bytes, in ms; Infinity for none. */
  stallMs: number
  /** More time for the answer on top of `stallMs` (an upload is sent before any answer). */
  answerGraceMs?: number
  /** The request's secrets, kept out of failure texts. */
  secrets: readonly string[]
}

/**
 * One request on the wire: `response` once the answer's headers arrived, `body()` to read the
 * answer under the same stall watch, `close()` to stop the watch and release an unread body.
 */
export class Exchange {
  readonly response: Response
  readonly #spec: ExchangeSpec
  readonly #watchdog: Watchdog
  #consumed = false

  private constructor(response: Response, spec: ExchangeSpec, watchdog: Watchdog) {
    this.response = response
    this.#spec = spec
    this.#watchdog = watchdog
  }

  /** Send the request; failures come out as `AttemptFailure`s. */
  static async open(spec: ExchangeSpec): Promise<Exchange> {
    const watchdog = new Watchdog(spec.stallMs, spec.signal)
    watchdog.arm(spec.answerGraceMs ?? 0)
    try {
      // Redirects are answered, never followed: a followed one would leave the table's prefix.
      const response = await spec.fetch(spec.url, { ...spec.init, redirect: 'manual', signal: watchdog.controller.signal })
      watchdog.disarm()
      if (response.type === 'opaqueredirect') {
        void response.body?.cancel().catch(() => undefined)
        throw new DeltaError('InvalidArgument', `The server redirected the ${spec.ctx.op} of "${spec.ctx.path}" elsewhere; redirects are not followed, so that no request leaves the table: give the table's final location.`)
      }
      return new Exchange(response, spec, watchdog)
    } catch (e) {
      watchdog.close()
      throw failure(e, spec, watchdog, 'answer')
    }
  }

  /**
   * The answer's body, read chunk by chunk with the stall watch re-armed for each. With `limit`,
   * reading stops (and the rest is dropped) once that many bytes came.
   */
  async body(limit?: number): Promise<Uint8Array> {
    this.#consumed = true
    const stream = this.response.body
    if (!stream) return new Uint8Array(0)
    const reader = stream.getReader()
    const chunks: Uint8Array[] = []
    let total = 0
    try {
      for (;;) {
        this.#watchdog.arm()
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(value)
        total += value.byteLength
        if (limit !== undefined && total >= limit) {
          void reader.cancel().catch(() => undefined)
          break
        }
      }
    } catch (e) {
      void reader.cancel().catch(() => undefined)
      throw failure(e, this.#spec, this.#watchdog, 'body')
    } finally {
      this.#watchdog.disarm()
    }
    return concat(chunks, total)
  }

  /** Stop watching, and drop an unread body so that its connection is released now. */
  close(): void {
    this.#watchdog.close()
    if (!this.#consumed && this.response.body && !this.response.bodyUsed) void this.response.body.cancel().catch(() => undefined)
  }
}

function failure(e: unknown, spec: ExchangeSpec, watchdog: Watchdog, phase: 'answer' | 'body'): AttemptFailure {
  const { op, path } = spec.ctx
  if (spec.signal?.aborted) return new AttemptFailure(new DeltaError('Cancelled', `The ${op} of "${path}" was cancelled.`), false)
  if (watchdog.stalled) {
    const seconds = spec.stallMs / 1000
    const when = phase === 'answer' ? 'no answer came' : 'the answer stopped mid-body'
    return new AttemptFailure(new DeltaError('Unavailable', `The storage server made no progress for ${seconds} s on the ${op} of "${path}" (${when}); it may be overloaded or unreachable. Retry later, or raise stallTimeoutMs.`), true)
  }
  if (e instanceof DeltaError) return new AttemptFailure(e, false)
  if ((e as { name?: unknown } | null)?.name === 'AbortError') {
    return new AttemptFailure(new DeltaError('Cancelled', `The ${op} of "${path}" was aborted.`, { cause: e }), false)
  }
  const reason = describeFailure(e, spec.secrets)
  if (phase === 'body') {
    return new AttemptFailure(new DeltaError('Unavailable', `The connection was cut while reading the answer to the ${op} of "${path}" (${reason}); retry later.`, { cause: e }), true)
  }
  return new AttemptFailure(
    new DeltaError(
      'Unavailable',
      `Could not reach the storage server for ${op} of "${path}" (${reason}). Check the network; in a browser, also check the bucket's CORS rules allow this origin, the method and the Range and If-None-Match headers.`,
      { cause: e },
    ),
    true,
  )
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const only = chunks.length === 1 ? chunks[0]! : undefined
  // A plain Uint8Array the caller may keep (not a Buffer view into a pool).
  if (only && Object.getPrototypeOf(only) === Uint8Array.prototype && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return only
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/**
 * Refuse a signed URL that is not http(s) or does not parse, before fetch does: fetch would say
 * "Failed to parse URL from <the signed URL>", credentials and all.
 */
export function checkUrl(url: string, ctx: FailureContext): void {
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new DeltaError('InvalidArgument', `The signer gave no valid http(s) URL for the ${ctx.op} of "${ctx.path}"; check the account URL, endpoint or base URL it was given.`)
  }
}

/** Any failure of an attempt as an AttemptFailure; only those marked transient are retried. */
export function asFailure(e: unknown): AttemptFailure {
  if (e instanceof AttemptFailure) return e
  if (e instanceof DeltaError) return new AttemptFailure(e, false)
  return new AttemptFailure(new DeltaError('Internal', 'The HTTP storage failed unexpectedly; retry, and report it if it keeps failing.', { cause: e }), false)
}
