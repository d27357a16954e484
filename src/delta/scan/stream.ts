import type { RecordBatch } from 'apache-arrow'
import { mapAhead } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import type { ScanPlan } from './plan.js'
import { readDataFile, type ReadContext, type ReadOptions } from './read.js'

/**
 * How many data files a stream reads ahead of the consumer: enough for decoding to overlap the
 * consumer's work on the current file, few enough that memory stays a few files, not the table.
 */
export const FILES_READ_AHEAD = 2

/**
 * Read a plan's files as a stream of record batches in the plan's output schema, file by file in
 * plan order, leaving out empty batches. While the consumer holds a batch, up to
 * `FILES_READ_AHEAD` later files are being read.
 *
 * An aborted `opts.signal` rejects the next step with `Cancelled`. Leaving the loop early does not
 * stop reads already started: the caller stops them by aborting the signal its engine's storage
 * is bound to (as `DeltaTable.toBatches` does).
 */
export async function* streamScan(engine: Engine, context: ReadContext, plan: ScanPlan, opts: ReadOptions = {}): AsyncGenerator<RecordBatch> {
  const { signal } = opts
  throwIfCancelled(signal)
  const files = mapAhead(plan.files, FILES_READ_AHEAD, async (add) => {
    throwIfCancelled(signal)
    return readDataFile(engine, context, plan, add, opts)
  })
  for await (const batches of files) {
    for (const batch of batches) {
      if (batch.numRows === 0) continue
      throwIfCancelled(signal)
      yield batch
    }
  }
  throwIfCancelled(signal)
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DeltaError('Cancelled', 'the scan was cancelled')
}
