import { DeltaError } from '../delta/engine/errors.js'
import type { DeltaWorkerApi } from './protocol.js'

/**
 * How a worker's death is learnt: `died` resolves (never rejects) with the error its calls get;
 * `report` is called by whoever sees the worker die (an `exit` or `error` event).
 */
export interface DeathWatch {
  readonly died: Promise<DeltaError>
  report(reason: unknown): void
}

/** A death watch for the worker named `what` (for messages). */
export function watchDeath(what: string): DeathWatch {
  let report!: (reason: unknown) => void
  const died = new Promise<DeltaError>((resolve) => {
    let reported = false
    report = (reason) => {
      if (reported) return
      reported = true
      resolve(new DeltaError(
        'Internal',
        `${what} stopped (${describe(reason)}); the call failed, and tables opened in that worker must be opened again`,
        { cause: reason },
      ))
    }
  })
  return { died, report }
}

/**
 * The worker's API with every call settled even if the worker dies: a comlink call to a dead
 * worker never answers, so each call races the death, which rejects it with the death's
 * `DeltaError`; calls made after the death reject at once.
 */
export function settleOnDeath(api: DeltaWorkerApi, died: Promise<DeltaError>): DeltaWorkerApi {
  let death: DeltaError | undefined
  void died.then((e) => (death = e))
  const rejection = died.then((e) => Promise.reject(e))
  rejection.catch(() => undefined) // awaited per call below; never unhandled on its own
  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (death) return Promise.reject(death)
    const work = Promise.resolve().then(() => (api as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args))
    return Promise.race([work, rejection])
  }
  // Every member of the API is a method; `then` must stay absent, or awaiting the API would call it.
  return new Proxy({} as DeltaWorkerApi, {
    get: (_, prop) => (typeof prop === 'string' && prop !== 'then' ? (...args: unknown[]) => call(prop, args) : undefined),
  })
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`
  if (typeof reason === 'object' && reason !== null && 'message' in reason) return String((reason as { message: unknown }).message)
  return String(reason)
}
