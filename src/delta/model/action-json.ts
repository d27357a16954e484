import type { Action } from './actions.js'

/**
 * One action as a line of a commit file: the inverse of `parseAction`. Empty optional fields are
 * left out, as Spark and delta-rs write them; parsed-only fields (`statsParsed`) never go out.
 */
export function formatAction(action: Action): string {
  if (action.kind === 'commitInfo') return JSON.stringify({ commitInfo: action.info })
  const { kind, ...fields } = action
  const body: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || k === 'statsParsed') continue
    body[k] = k === 'deletionVector' ? withoutEmpty(v as Record<string, unknown>) : v
  }
  return JSON.stringify({ [kind]: body })
}

/** A descriptor without its empty optional fields (`offset` of an inline vector, `maxRowIndex`). */
function withoutEmpty(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null))
}

/** A whole commit file: one action per line, newline-terminated. */
export function formatCommit(actions: readonly Action[]): string {
  return actions.map(formatAction).join('\n') + '\n'
}
