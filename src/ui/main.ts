// The demo page: opens the bundled sample table (or a folder the user picks) through the worker
// pool and shows its schema, version and first rows. Nothing here decodes Parquet: the workers do.
import {
  createBrowserPool, fsaStorageDescriptor, publicHttpStorageDescriptor, WorkerDeltaTable, type StorageDescriptor,
} from '../worker/index.js'
import { renderRows, renderSchema } from './render.js'

const pool = createBrowserPool()
const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T

async function show(storage: StorageDescriptor, label: string): Promise<void> {
  byId('error').textContent = ''
  byId('source').textContent = label
  try {
    const table = await WorkerDeltaTable.open(pool, storage)
    byId('version').textContent = String(table.version)
    renderSchema(byId('schema'), table.schema(), table.metadata().partitionColumns)
    renderRows(byId('rows'), await table.toArrow())
    await table.close()
  } catch (e) {
    byId('error').textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  }
  document.body.dataset.state = 'shown'
}

byId('pick').addEventListener('click', () => {
  const picker = (globalThis as { showDirectoryPicker?: (o: { mode: string }) => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker
  if (!picker) {
    byId('error').textContent = 'This browser cannot open local folders (no File System Access API).'
    return
  }
  void picker({ mode: 'readwrite' }).then((handle) => show(fsaStorageDescriptor(handle), `Folder ${handle.name}`), () => undefined)
})

// The dev server answers S3 listings for public/ (see vite.config.ts).
void show(publicHttpStorageDescriptor(new URL('sample-table', location.href).href, { listing: 's3' }), 'Sample table')
