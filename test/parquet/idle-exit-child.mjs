// Decodes one file through the package's Node codec, prints the row count and ends without any
// cleanup: validate.test.ts checks the process exits at once (idle decoder threads are unref'd).
import { tableFromArrays } from 'apache-arrow'
import { nodeParquetCodec } from '../../dist/parquet/node.js'

const codec = await nodeParquetCodec()
const bytes = await codec.write(tableFromArrays({ id: Int32Array.from({ length: 1000 }, (_, i) => i) }))
const table = await codec.read({ size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) })
process.stdout.write(`${JSON.stringify({ rows: table.numRows })}\n`)
