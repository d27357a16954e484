import type { DeltaTable } from '../api/delta-table.js'
import type { StorageDescriptor, TableInfo } from './protocol.js'

/** The facts of an open table that cross to the page (plain data; the files stay here). */
export function describeTable(handle: string, storageId: string, table: DeltaTable): TableInfo {
  return {
    handle,
    storageId,
    uri: table.uri,
    version: table.version,
    schema: table.schema(),
    metadata: table.metadata(),
    protocol: table.protocol(),
    numFiles: table.withoutFiles ? null : table.numFiles,
    checkpointVersion: table.checkpointVersion() ?? null,
    appTransactions: table.appTransactions(),
  }
}

/**
 * A name for where a table lives, for messages and for tables with no URI: never a signed URL
 * or a secret. Not a URI to resolve paths against (see `tableUriOf`).
 */
export function describeLocation(d: StorageDescriptor): string {
  switch (d.kind) {
    case 'http':
      return d.root ? `http:${d.root}` : 'http table'
    case 'public-http':
      return d.root ? `${d.baseUrl.replace(/\/+$/, '')}/${d.root}` : d.baseUrl
    case 'fsa':
      return `folder '${d.root ? `${d.handle.name}/${d.root}` : d.handle.name}'`
    case 'node-fs':
      return d.root ? `${d.dir}/${d.root}` : d.dir
    default:
      return d.root ? `table '${d.root}'` : 'table'
  }
}
