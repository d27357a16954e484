import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import type { TransactionOptions } from '../../txn/options.js'
import { checkOptions, TRANSACTION_OPTIONS, type OptionChecks } from '../check-options.js'
import { commitMetadataChange } from './commit-metadata.js'

/** Options of `setTableName` and `setTableDescription`: the commit's. */
export type TableMetadataOptions = TransactionOptions

/** The options `setTableName` and `setTableDescription` accept. */
export const TABLE_METADATA_OPTIONS: OptionChecks = TRANSACTION_OPTIONS

// delta-rs's limits on the two fields.
const MAX_NAME = 255
const MAX_DESCRIPTION = 4000

/**
 * Set the table's name (metadata `name`), as delta-rs's `alter.set_table_name`: 1 to 255
 * characters. Records commitInfo as delta-rs's `UPDATE TABLE METADATA`.
 */
export async function setTableName(engine: Engine, name: string, opts: TableMetadataOptions = {}): Promise<{ version: number }> {
  checkText('name', name, 1, MAX_NAME)
  return updateTableMetadata(engine, { name }, opts)
}

/**
 * Set the table's description (metadata `description`), as delta-rs's
 * `alter.set_table_description`: at most 4000 characters. Records commitInfo as delta-rs's
 * `UPDATE TABLE METADATA`.
 */
export async function setTableDescription(engine: Engine, description: string, opts: TableMetadataOptions = {}): Promise<{ version: number }> {
  checkText('description', description, 0, MAX_DESCRIPTION)
  return updateTableMetadata(engine, { description }, opts)
}

function checkText(what: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new DeltaError('InvalidArgument', `the table ${what} must be a string of ${min} to ${max} characters`)
  }
}

async function updateTableMetadata(engine: Engine, update: { name?: string; description?: string }, opts: TableMetadataOptions): Promise<{ version: number }> {
  checkOptions('table metadata', opts, TABLE_METADATA_OPTIONS)
  return commitMetadataChange(engine, 'UPDATE TABLE METADATA', opts, (snapshot) => ({
    metadata: { ...snapshot.metadata, ...update },
    parameters: { metadataUpdate: JSON.stringify(update) },
  }))
}
