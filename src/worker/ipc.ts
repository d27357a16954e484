import { RecordBatch, Table, tableFromIPC, tableToIPC, type Schema } from 'apache-arrow'
import { transfer } from 'comlink'

/**
 * An Arrow table as one IPC stream, marked for comlink to transfer (not copy) its buffer. The
 * bytes get a buffer of their own first, so transferring never detaches memory still in use.
 */
export function toTransferableIpc(table: Table): Uint8Array {
  const bytes = tableToIPC(table, 'stream')
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
  return transfer(own, [own.buffer])
}

/**
 * Join IPC streams (each parsed once) into one table with `schema`, batches in stream order.
 * Each stream was written from a table of that schema; re-labelling its batches with the one
 * schema object keeps apache-arrow from treating equal schemas as different.
 */
export function joinIpcStreams(schema: Schema, streams: readonly Uint8Array[]): Table {
  return new Table(schema, streams.flatMap((bytes) => ipcBatches(schema, bytes)))
}

/**
 * The non-empty batches of one IPC stream, labelled with `schema` (see `joinIpcStreams`). A
 * caller that receives streams one by one parses each as it arrives: parsing them all at the
 * end would be one long task on the page's main thread.
 */
export function ipcBatches(schema: Schema, bytes: Uint8Array): RecordBatch[] {
  const out: RecordBatch[] = []
  for (const b of tableFromIPC(bytes).batches) {
    if (b.numRows > 0) out.push(new RecordBatch(schema, b.data))
  }
  return out
}

/** The schema an IPC stream declares. */
export function ipcSchema(bytes: Uint8Array): Schema {
  return tableFromIPC(bytes).schema
}
