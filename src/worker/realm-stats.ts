import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import type { RealmStats } from './protocol.js'

const KEY = '__deltalakeRealmStats'

/**
 * This realm's counters, kept on `globalThis` under `__deltalakeRealmStats` so a test can look
 * from outside (a page's main realm must never have any). Created on first use.
 */
export function realmStats(): RealmStats {
  const g = globalThis as { [KEY]?: RealmStats }
  g[KEY] ??= { parquetReads: 0, parquetWrites: 0, snapshotsLoaded: 0 }
  return g[KEY]
}

/** The codec, counting its decodes and encodes in this realm's stats. */
export function countingCodec(codec: ParquetCodec): ParquetCodec {
  const stats = realmStats()
  const readBatches = codec.readBatches?.bind(codec)
  return {
    read: (source, opts) => {
      stats.parquetReads++
      return codec.read(source, opts)
    },
    ...(readBatches && {
      readBatches: (source, opts) => {
        stats.parquetReads++
        return readBatches(source, opts)
      },
    }),
    write: (table, opts) => {
      stats.parquetWrites++
      return codec.write(table, opts)
    },
  }
}
