import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Table } from 'apache-arrow'

/**
 * The rows of a table written from `RowSpec`s (id, value, label), sorted by id, as plain
 * values: two reads of one table compare equal whatever their file order or chunking.
 */
export function sortedRows(table: Table): [number, number, string][] {
  const id = table.getChild('id')!
  const value = table.getChild('value')!
  const label = table.getChild('label')!
  const rows: [number, number, string][] = []
  for (let i = 0; i < table.numRows; i++) rows.push([Number(id.get(i)), Number(value.get(i)), String(label.get(i))])
  return rows.sort((a, b) => a[0] - b[0])
}

/** The Arrow schema as `name:type` strings, for comparing the schema two readers give. */
export function schemaOf(table: Table): string[] {
  return table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)
}

/** Write files exported from a page (paths relative, bytes in base64) below `dir`. */
export async function writeExportedFiles(dir: string, files: readonly { path: string; data: string }[]): Promise<void> {
  for (const f of files) {
    const target = join(dir, ...f.path.split('/'))
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, Buffer.from(f.data, 'base64'))
  }
}
