import type { Table } from 'apache-arrow'
import { DeltaError } from '../../engine/errors.js'
import type { StructType } from '../../model/schema.js'
import { checkCondition, parseCondition } from './constraint-check.js'
import { checkInvariants, checkNotNull } from './invariants.js'

/** Prefix of the table properties that hold CHECK constraints: `delta.constraints.<name>`. */
export const CONSTRAINT_PREFIX = 'delta.constraints.'

/** A CHECK constraint of the table: its name and SQL condition. */
export interface CheckConstraint {
  name: string
  expression: string
}

/** The CHECK constraints among the table properties, in property order. */
export function constraintsOf(configuration: Readonly<Record<string, string>>): CheckConstraint[] {
  return Object.entries(configuration)
    .filter(([k]) => k.toLowerCase().startsWith(CONSTRAINT_PREFIX))
    .map(([k, expression]) => ({ name: k.slice(CONSTRAINT_PREFIX.length), expression }))
}

function label(name: string): string {
  return `CHECK constraint '${name}'`
}

/**
 * Everything rows must satisfy before they are written: NOT NULL of non-nullable fields, column
 * invariants (`delta.invariants`), and every CHECK constraint (`delta.constraints.<name>`) of
 * `configuration`. Throws `ConstraintViolation` naming the rule, its expression, how many rows
 * break it and the first one's values; `UnsupportedFeature` for a rule this library cannot
 * evaluate (it refuses to write rather than write unchecked). A row where a constraint is NULL
 * violates it, as the protocol requires ("must return true") and Spark enforces.
 */
export function checkConstraints(table: Table, configuration: Readonly<Record<string, string>>, schema: StructType): void {
  checkNotNull(table, schema)
  checkInvariants(table, schema)
  for (const c of constraintsOf(configuration)) checkCondition(table, schema, { label: label(c.name), expression: c.expression })
}

/**
 * Before adding CHECK constraint `name`: parse it (`UnsupportedFeature` when this library could
 * not enforce it on later writes) and check that every existing row of the table (`data`, read
 * by the caller, in the table's logical schema) satisfies it, as the protocol requires; else
 * `ConstraintViolation`. An existing constraint of the same name is `InvalidArgument`.
 */
export function validateNewConstraint(
  data: Table, name: string, expression: string, schema: StructType, configuration: Readonly<Record<string, string>> = {},
): void {
  if (name.trim() === '') throw new DeltaError('InvalidArgument', 'a CHECK constraint needs a name')
  const existing = constraintsOf(configuration).find((c) => c.name.toLowerCase() === name.toLowerCase())
  if (existing) {
    throw new DeltaError('InvalidArgument', `the table already has ${label(existing.name)} (${existing.expression}); drop it first or choose another name`)
  }
  const condition = { label: label(name), expression }
  parseCondition(condition, schema)
  checkCondition(data, schema, condition)
}
