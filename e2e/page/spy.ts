/** URLs the page's main thread fetched, in order: the harness proves it never reads table files. */
export const mainThreadFetches: string[] = []

/**
 * Record every fetch of the main thread. Installed before anything else runs, so a table read
 * that slipped onto the main thread would show up here.
 */
export function installFetchSpy(): void {
  const original = globalThis.fetch.bind(globalThis)
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    mainThreadFetches.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    return original(input, init)
  }
}

/** What the main realm did: its fetches, wasm it loaded, and library counters (none expected). */
export interface MainRealmReport {
  fetches: string[]
  wasmResources: string[]
  realmStats: unknown
}

/** This realm's report. */
export function mainRealmReport(): MainRealmReport {
  return {
    fetches: [...mainThreadFetches],
    wasmResources: performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('.wasm')),
    realmStats: (globalThis as { __deltalakeRealmStats?: unknown }).__deltalakeRealmStats ?? null,
  }
}
