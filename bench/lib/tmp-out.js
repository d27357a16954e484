// Scratch folders for what write workloads produce; emptied after each run, untimed.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { TMP_DIR } from './paths.js'

let counter = 0

/** A fresh, empty folder under bench/.tmp for one run's output. */
export function freshOutDir() {
  const dir = join(TMP_DIR, `${process.pid}-${counter++}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  return dir
}

/**
 * Remove a run's output.
 * @param {string} dir
 */
export function removeOutDir(dir) {
  rmSync(dir, { recursive: true, force: true })
}

/**
 * Group batches into runs of at least `target` bytes of Arrow data, as the library's writer
 * rolls files, so the floor encodes files of the same size.
 * @param {Iterable<import('apache-arrow').RecordBatch>} batches
 * @param {number} target
 * @returns {Generator<import('apache-arrow').RecordBatch[]>}
 */
export function* groupBySize(batches, target) {
  let group = []
  let bytes = 0
  for (const b of batches) {
    group.push(b)
    bytes += b.data.byteLength
    if (bytes >= target) {
      yield group
      group = []
      bytes = 0
    }
  }
  if (group.length > 0) yield group
}
