import { rm } from 'node:fs/promises'
import { tableFromArrays } from 'apache-arrow'
import { nodeParquetCodec } from '../src/parquet/node.js'
import { NodeFsStorage } from '../src/storage/node-fs.js'
import { writeDeltaLake } from '../src/api/write-deltalake.js'

/** Cities: a tiny table with a few types and a partition column, for the demo page. */
function cities(rows: [string, string, number, number, boolean][]) {
  return tableFromArrays({
    city: rows.map((r) => r[0]),
    continent: rows.map((r) => r[1]),
    population: BigInt64Array.from(rows, (r) => BigInt(r[2])),
    area_km2: Float64Array.from(rows, (r) => r[3]),
    capital: rows.map((r) => r[4]),
  })
}

/**
 * Write the sample table the page shows (`public/sample-table`) with this library's own
 * writer: version 0 creates it partitioned by continent, version 1 appends. Replaces what is
 * there. Run it with `node e2e/write-sample-table.mjs`.
 */
export async function writeSampleTable(dir: string): Promise<number> {
  await rm(dir, { recursive: true, force: true })
  // An explicit engine: nothing is loaded lazily, so the script's module runner may close early.
  const engine = { storage: new NodeFsStorage(dir), parquet: await nodeParquetCodec() }
  await writeDeltaLake(dir, cities([
    ['Lisbon', 'Europe', 545_000, 100.05, true],
    ['Porto', 'Europe', 232_000, 41.42, false],
    ['Nairobi', 'Africa', 4_397_000, 696, true],
    ['Lagos', 'Africa', 15_400_000, 1171.28, false],
    ['Osaka', 'Asia', 2_750_000, 225.21, false],
  ]), { ...engine, partitionBy: ['continent'], name: 'cities', description: 'A few cities: the deltalake sample table' })
  const appended = await writeDeltaLake(dir, cities([
    ['Hanoi', 'Asia', 8_050_000, 3358.6, true],
    ['Lima', 'South America', 10_000_000, 2672.3, true],
  ]), { ...engine, mode: 'append' })
  return appended.version
}
