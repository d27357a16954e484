import { RecordBatch, Table } from 'apache-arrow'
import type { WriteData } from '../delta/write/input.js'
import { toTransferableIpc } from './ipc.js'
import type { WorkerWriteData } from './protocol.js'

/**
 * Write data in the form that crosses to a worker: Arrow (a table, a batch, or batches from an
 * iterable, gathered here) as one transferred IPC stream; plain objects as they are, so the
 * worker infers their types against the table's schema exactly as an in-process write would.
 */
export async function toWorkerWriteData(data: WriteData): Promise<WorkerWriteData> {
  if (data instanceof Table) return toTransferableIpc(data)
  if (data instanceof RecordBatch) return toTransferableIpc(new Table([data]))
  if (Array.isArray(data) && !(data[0] instanceof RecordBatch)) return data as readonly Record<string, unknown>[]
  const batches: RecordBatch[] = []
  for await (const b of data as AsyncIterable<RecordBatch> | Iterable<RecordBatch>) batches.push(b)
  // Nothing to gather: no rows, typed by the table's schema in the worker.
  return batches.length === 0 ? [] : toTransferableIpc(new Table(batches))
}
