import { DeltaError } from '../../engine/errors.js'
import { MAX_EXPRESSION_DEPTH } from './parse-core.js'
import type { Expr } from './types.js'

/**
 * Refuse a filter tree nested deeper than `MAX_EXPRESSION_DEPTH` levels (`InvalidArgument`),
 * walking it without recursion. Parsed filters never are; a tree built in code may be, and every
 * pass over it (skipping, evaluation, formatting) recurses: a caller taking an `Expr` from
 * outside checks it here first.
 */
export function checkExprDepth(expr: Expr): void {
  const nodes: Expr[] = [expr]
  const depths: number[] = [1]
  while (nodes.length > 0) {
    const node = nodes.pop()!
    const depth = depths.pop()!
    if (depth > MAX_EXPRESSION_DEPTH) {
      throw new DeltaError('InvalidArgument', `invalid filter: nested more than ${MAX_EXPRESSION_DEPTH} levels deep (AND, OR and NOT inside one another); build it with fewer levels`)
    }
    const children = node.kind === 'and' || node.kind === 'or' ? node.args : node.kind === 'not' ? [node.arg] : []
    for (const child of children) {
      nodes.push(child)
      depths.push(depth + 1)
    }
  }
}
