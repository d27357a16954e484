import { RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow'
import { transfer } from 'comlink'
import { inputBatches, type WriteData } from '../delta/write/input.js'
import type { WorkerWriteData } from './protocol.js'

/**
 * Write data in the form that crosses to a worker. Plain objects go as they are, so the worker
 * infers their types against the table's schema exactly as a write in this thread would. Arrow
 * input is checked as a write in this thread checks it and goes as one IPC stream per batch, so
 * batches whose schemas differ (a schema merge) still arrive as separate batches; the buffers
 * are transferred, not copied. An async iterable is gathered here before it crosses.
 */
export async function toWorkerWriteData(data: WriteData): Promise<WorkerWriteData> {
  if (Array.isArray(data) && !(data[0] instanceof RecordBatch)) return { rows: data as readonly Record<string, unknown>[] }
  const ipc: Uint8Array[] = []
  for await (const batch of inputBatches(data)) ipc.push(tableToIPC(new Table([batch]), 'stream'))
  return transfer({ ipc }, ipc.map((b) => b.buffer as ArrayBuffer))
}

/** The worker's side of `toWorkerWriteData`: what the write in the worker is given. */
export function fromWorkerWriteData(data: WorkerWriteData): WriteData {
  return 'rows' in data ? data.rows : batchesOf(data.ipc)
}

function* batchesOf(streams: readonly Uint8Array[]): Generator<RecordBatch> {
  for (const bytes of streams) yield* tableFromIPC(bytes).batches
}
