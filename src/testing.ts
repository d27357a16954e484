/**
 * Storage wrappers for tests of code built on deltalake: `CountingStorage` records every request
 * (to count round trips and see request waves), `FailingStorage` fails the n-th one (to prove an
 * interrupted write leaves the table readable). Kept out of the main entry so applications do
 * not ship them.
 * @packageDocumentation
 */
export { CountingStorage } from './storage/counting.js'
export type { CountingOptions, StorageCall, StorageOp } from './storage/counting.js'
export { FailingStorage, isInjectedFailure } from './storage/failing.js'
export type { FailingOptions } from './storage/failing.js'
