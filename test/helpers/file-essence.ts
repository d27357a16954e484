import type { Engine } from '../../src/delta/engine/engine.js'
import { plainAdd, type AddAction, type RemoveAction } from '../../src/delta/model/actions.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'

/** File actions sorted by path, so two lists of one table's files compare in one order. */
export function byPath<T extends { path: string }>(xs: Iterable<T>): T[] {
  return [...xs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/**
 * What a file action means, without the fields a checkpoint may normalise (`dataChange`) or
 * derive (`statsParsed`), and without absent fields. `plainAdd`: an add read from a checkpoint
 * reads its stats through a getter.
 */
export function essence(a: AddAction | RemoveAction): Record<string, unknown> {
  const { dataChange: _d, ...rest } = a.kind === 'add' ? plainAdd(a) : a
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined && k !== 'statsParsed') out[k] = v
  return out
}

/** An engine over `storage` with the one Node codec of the process. */
export async function engineOf(storage: Engine['storage']): Promise<Engine> {
  return { storage, parquet: await nodeParquetCodec() }
}
