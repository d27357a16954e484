import type { Engine } from '../delta/engine/engine.js'
import { DeltaError } from '../delta/engine/errors.js'
import { GuardedStorage } from '../storage/guarded.js'
import type { EngineOptions } from './engine-options.js'
import { URI_SCHEME } from '../delta/log/data-path.js'

/** Builds the engine for a URI in Node (`nodeEngine`). */
export type LocalEngine = (uri: string, opts: EngineOptions) => Promise<Engine>

const isNode = typeof globalThis === 'object' && typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'

let localEngine: LocalEngine | undefined

/**
 * Set the Node engine ahead of time. The package's Node entry does it, importing the engine
 * statically, so tools that bundle for Node see it; without it the engine is loaded on first use.
 * @internal
 */
export function useLocalEngine(engine: LocalEngine): void {
  localEngine = engine
}

/**
 * The storage and codec for a URI. Given ones win; a local path opens the file system in Node.
 * The Node module is loaded by a computed specifier so browser bundles never pull it in. The
 * storage, whichever it is, comes behind the guard (see {@link guardEngine}).
 */
export async function resolveEngine(uri: string, opts: EngineOptions): Promise<Engine> {
  return guardEngine(await findEngine(uri, opts))
}

/**
 * The engine with its storage behind the one guard every request passes (`GuardedStorage`:
 * paths that could leave the table refused, exact reads, errors typed), with `signal` bound to
 * every request when given. An operation that takes a signal calls this with it.
 */
export function guardEngine<E extends { storage: Engine['storage'] }>(engine: E, signal?: AbortSignal): E {
  return { ...engine, storage: GuardedStorage.wrap(engine.storage, signal) }
}

async function findEngine(uri: string, opts: EngineOptions): Promise<Engine> {
  // A URI with a scheme (`s3://`, `https://`, `file:/`) names the table root absolutely.
  const tableUri = URI_SCHEME.test(uri) ? uri.replace(/\/+$/, '') : undefined
  if (opts.storage && opts.parquet) return { storage: opts.storage, parquet: opts.parquet, tableUri }
  if (!isNode) {
    if (!opts.storage) throw new DeltaError('InvalidArgument', `cannot open '${uri}' without a storage: pass { storage } (HTTP, local folder or OPFS)`)
    const { browserParquetCodec } = await import('../parquet/browser.js')
    return { storage: opts.storage, parquet: await browserParquetCodec(), tableUri }
  }
  if (localEngine) return localEngine(uri, opts)
  const nodeModule = './node-engine.js'
  const { nodeEngine } = (await import(/* @vite-ignore */ nodeModule)) as typeof import('./node-engine.js')
  return nodeEngine(uri, opts)
}
