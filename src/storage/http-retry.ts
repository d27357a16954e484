import { DeltaError } from '../delta/engine/errors.js'

/**
 * How `HttpStorage` retries a request that failed for a reason that may pass: a 408, 429 or 5xx
 * answer (not 501 or 505), a network error, a body cut mid-stream, or a stall. Reads, heads,
 * listing pages, deletes and plain puts are retried; a conditional create is too, and when a
 * retry finds the file already there the storage reads it back to tell its own earlier attempt
 * (which landed after all) from another writer's. Other 4xx answers are never retried.
 *
 * The wait before retry n is a random time between 0 and `min(maxDelayMs, baseDelayMs * 2^(n-1))`
 * (exponential backoff with full jitter, as the AWS SDKs do), or what the server's `Retry-After`
 * asks; no retry starts once `attempts` are made or `budgetMs` has passed since the first.
 */
export interface HttpRetryOptions {
  /** Most attempts of one request, the first included (default 4: up to three retries). 1 turns retries off. */
  attempts?: number
  /** The cap of the first wait, in ms (default 200). */
  baseDelayMs?: number
  /** The longest wait between two attempts, in ms (default 5000). */
  maxDelayMs?: number
  /** No retry starts later than this many ms after the first attempt (default 30000). */
  budgetMs?: number
}

/** The retry settings in force, every field set. */
export type RetryPolicy = Required<HttpRetryOptions>

const DEFAULTS: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, budgetMs: 30_000 }

/** The policy for the given options (`false` turns retries off), refusing nonsense values. */
export function retryPolicy(opts: HttpRetryOptions | false | undefined): RetryPolicy {
  if (opts === false) return { ...DEFAULTS, attempts: 1 }
  const policy = { ...DEFAULTS, ...definedOnly(opts ?? {}) }
  if (!Number.isSafeInteger(policy.attempts) || policy.attempts < 1) refuse('attempts', policy.attempts, 'a whole number, 1 or more')
  for (const key of ['baseDelayMs', 'maxDelayMs', 'budgetMs'] as const) {
    if (typeof policy[key] !== 'number' || !(policy[key] >= 0)) refuse(key, policy[key], 'a number of ms, 0 or more')
  }
  return policy
}

/**
 * The wait in ms before attempt `attempt + 1`, or undefined when no retry may start: the
 * attempts are used up, or the wait would end past the budget (`elapsedMs` since the first
 * attempt). A server's `Retry-After` wins over the computed wait.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, elapsedMs: number, retryAfterMs?: number, random: () => number = Math.random): number | undefined {
  if (attempt >= policy.attempts) return undefined
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30))
  const wait = retryAfterMs ?? random() * cap
  return elapsedMs + wait > policy.budgetMs ? undefined : wait
}

/** Wait `ms`, or reject with `Cancelled` as soon as `signal` is aborted. */
export function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): DeltaError => new DeltaError('Cancelled', `${what} was cancelled.`)
    if (signal?.aborted) return reject(cancelled())
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(cancelled())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function definedOnly(opts: HttpRetryOptions): HttpRetryOptions {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined))
}

function refuse(key: string, value: unknown, what: string): never {
  throw new DeltaError('InvalidArgument', `HttpStorage option 'retry.${key}' must be ${what}, got ${String(value)}.`)
}
