/**
 * The log's actions: their types (`action-types.ts`), the one validator that reads them
 * (`parse-action.ts`) and the reading of whole commit files (`commit-file.ts`), in one import.
 */
export * from './action-types.js'
export { parseAction, parseActionOf, parseDeletionVector, isActionKind } from './parse-action.js'
export { parseCommit, decodeLogText, type ParseCommitOptions } from './commit-file.js'
export { invalidLog, describeLocation, type LogLocation } from './log-location.js'
