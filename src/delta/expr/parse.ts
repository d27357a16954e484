import { DeltaError } from '../errors.js'
import type { StructType } from '../schema.js'
import { bindExpr } from './bind.js'
import type { RawLiteral } from './coerce.js'
import { syntaxError, tokenize, type Token } from './lexer.js'
import type { CompareOp, Expr } from './types.js'

/** A value operand before binding: a column path or a literal as written. */
export type RawOperand =
  | { kind: 'column'; path: string[]; pos: number }
  | { kind: 'literal'; lit: RawLiteral; pos: number }

/** The syntax tree of a filter before columns are resolved and literals typed. */
export type RawExpr =
  | { kind: 'and' | 'or'; args: RawExpr[] }
  | { kind: 'not'; arg: RawExpr }
  | { kind: 'compare'; op: CompareOp; left: RawOperand; right: RawOperand }
  | { kind: 'isNull'; arg: RawOperand; negated: boolean }
  | { kind: 'in'; arg: RawOperand; values: RawOperand[]; negated: boolean }
  | { kind: 'between'; arg: RawOperand; low: RawOperand; high: RawOperand; negated: boolean }
  | { kind: 'like'; arg: RawOperand; pattern: RawOperand; negated: boolean }
  | { kind: 'operand'; arg: RawOperand }

const COMPARE_OPS: Record<string, CompareOp> = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }
const RESERVED = new Set(['AND', 'OR', 'NOT', 'IS', 'IN', 'BETWEEN', 'LIKE'])
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '||'])
const TYPED_LITERALS: Record<string, 'date' | 'timestamp' | 'timestamp_ntz'> = { DATE: 'date', TIMESTAMP: 'timestamp', TIMESTAMP_NTZ: 'timestamp_ntz' }

/** Recursive descent over the tokens: OR < AND < NOT < predicate. */
class Parser {
  private i = 0
  constructor(private readonly text: string, private readonly tokens: Token[]) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!
  }

  private next(): Token {
    const t = this.peek()
    if (this.i < this.tokens.length - 1) this.i++
    return t
  }

  private isKeyword(word: string, ahead = 0): boolean {
    const t = this.peek(ahead)
    return t.kind === 'ident' && !t.quoted && t.text.toUpperCase() === word
  }

  private isOp(op: string): boolean {
    const t = this.peek()
    return t.kind === 'op' && t.text === op
  }

  private describe(t: Token): string {
    return t.kind === 'end' ? 'the end of the filter' : `'${this.text.slice(t.pos, t.pos + 12).split(/\s/)[0]}'`
  }

  private fail(message: string, t: Token = this.peek()): DeltaError {
    return syntaxError(this.text, t.pos, `${message}, found ${this.describe(t)}`)
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) throw this.fail(`expected ${word}`)
    this.next()
  }

  private expectOp(op: string, what: string): void {
    if (!this.isOp(op)) throw this.fail(`expected ${what}`)
    this.next()
  }

  parseFilter(): RawExpr {
    if (this.peek().kind === 'end') throw syntaxError(this.text, 0, 'the filter is empty; expected a condition such as x > 1')
    const e = this.parseOr()
    if (this.peek().kind !== 'end') throw this.fail('expected AND, OR or the end of the filter')
    return e
  }

  private parseOr(): RawExpr {
    const args = [this.parseAnd()]
    while (this.isKeyword('OR')) {
      this.next()
      args.push(this.parseAnd())
    }
    return args.length === 1 ? args[0]! : { kind: 'or', args }
  }

  private parseAnd(): RawExpr {
    const args = [this.parseNot()]
    while (this.isKeyword('AND')) {
      this.next()
      args.push(this.parseNot())
    }
    return args.length === 1 ? args[0]! : { kind: 'and', args }
  }

  private parseNot(): RawExpr {
    if (this.isKeyword('NOT')) {
      this.next()
      return { kind: 'not', arg: this.parseNot() }
    }
    if (this.isOp('(')) {
      this.next()
      const inner = this.parseOr()
      this.expectOp(')', "')' to close the parenthesis")
      return inner
    }
    return this.parsePredicate()
  }

  private parsePredicate(): RawExpr {
    const left = this.parseOperand()
    const t = this.peek()
    if (t.kind === 'op' && COMPARE_OPS[t.text]) {
      this.next()
      return { kind: 'compare', op: COMPARE_OPS[t.text]!, left, right: this.parseOperand() }
    }
    if (this.isKeyword('IS')) return this.parseIsNull(left)
    const negated = this.isKeyword('NOT')
    if (negated) this.next()
    if (this.isKeyword('IN')) return this.parseIn(left, negated)
    if (this.isKeyword('BETWEEN')) return this.parseBetween(left, negated)
    if (this.isKeyword('LIKE')) {
      this.next()
      return { kind: 'like', arg: left, pattern: this.parseOperand(), negated }
    }
    if (negated) throw this.fail('expected IN, BETWEEN or LIKE after NOT')
    if (!(t.kind === 'end' || this.isKeyword('AND') || this.isKeyword('OR') || this.isOp(')'))) {
      throw this.fail('expected a comparison (=, !=, <, <=, >, >=), IS [NOT] NULL, IN, BETWEEN or LIKE')
    }
    return { kind: 'operand', arg: left }
  }

  private parseIsNull(arg: RawOperand): RawExpr {
    this.next()
    const negated = this.isKeyword('NOT')
    if (negated) this.next()
    this.expectKeyword('NULL')
    return { kind: 'isNull', arg, negated }
  }

  private parseIn(arg: RawOperand, negated: boolean): RawExpr {
    this.next()
    this.expectOp('(', "'(' to open the IN list")
    const values: RawOperand[] = []
    while (!this.isOp(')')) {
      if (values.length > 0) this.expectOp(',', "',' or ')' in the IN list")
      values.push(this.parseOperand())
    }
    this.next()
    return { kind: 'in', arg, values, negated }
  }

  private parseBetween(arg: RawOperand, negated: boolean): RawExpr {
    this.next()
    const low = this.parseOperand()
    this.expectKeyword('AND')
    return { kind: 'between', arg, low, high: this.parseOperand(), negated }
  }

  private parseOperand(): RawOperand {
    const operand = this.parseOperandOnly()
    const t = this.peek()
    if (t.kind === 'op' && ARITHMETIC.has(t.text)) {
      throw new DeltaError('UnsupportedFeature', `arithmetic ('${t.text}' at position ${t.pos + 1}) is not supported in filters; compare a column with a literal value: ${this.text}`)
    }
    return operand
  }

  private parseOperandOnly(): RawOperand {
    const t = this.next()
    switch (t.kind) {
      case 'number': return { kind: 'literal', lit: { form: 'number', text: t.text }, pos: t.pos }
      case 'string': return { kind: 'literal', lit: { form: 'string', text: t.text }, pos: t.pos }
      case 'hex': return { kind: 'literal', lit: { form: 'binary', bytes: t.bytes }, pos: t.pos }
      case 'op': return this.parseSigned(t)
      case 'ident': return t.quoted ? this.parseColumn(t) : this.parseWord(t)
      case 'end': throw this.fail('expected a column or a value', t)
    }
  }

  private parseSigned(t: Token & { kind: 'op' }): RawOperand {
    const n = this.peek()
    if ((t.text === '-' || t.text === '+') && n.kind === 'number') {
      this.next()
      return { kind: 'literal', lit: { form: 'number', text: t.text === '-' ? `-${n.text}` : n.text }, pos: t.pos }
    }
    if (ARITHMETIC.has(t.text)) {
      throw new DeltaError('UnsupportedFeature', `arithmetic ('${t.text}' at position ${t.pos + 1}) is not supported in filters: ${this.text}`)
    }
    throw this.fail('expected a column or a value', t)
  }

  private parseWord(t: Token & { kind: 'ident' }): RawOperand {
    const upper = t.text.toUpperCase()
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', lit: { form: 'boolean', value: upper === 'TRUE' }, pos: t.pos }
    if (upper === 'NULL') return { kind: 'literal', lit: { form: 'null' }, pos: t.pos }
    const typed = TYPED_LITERALS[upper]
    const n = this.peek()
    if (typed && n.kind === 'string') {
      this.next()
      return { kind: 'literal', lit: { form: typed, text: n.text }, pos: t.pos }
    }
    if (RESERVED.has(upper)) throw this.fail('expected a column or a value', t)
    if (this.isOp('(')) {
      throw new DeltaError('UnsupportedFeature', `function '${t.text}' is not supported in filters (position ${t.pos + 1}); compare a column with a literal value: ${this.text}`)
    }
    return this.parseColumn(t)
  }

  private parseColumn(first: Token & { kind: 'ident' }): RawOperand {
    const path = [first.text]
    while (this.isOp('.')) {
      this.next()
      const part = this.next()
      if (part.kind !== 'ident') throw this.fail("expected a field name after '.'", part)
      path.push(part.text)
    }
    return { kind: 'column', path, pos: first.pos }
  }
}

/** Parse a filter into its syntax tree, without a schema. */
export function parseRawFilter(text: string): RawExpr {
  return new Parser(text, tokenize(text)).parseFilter()
}

/**
 * Parse a SQL-like filter (`year = 2024 AND value > 3`) once into an expression tree that serves
 * both file skipping and row filtering. Columns resolve against the LOGICAL schema (exact name
 * first, then case-insensitive) and each literal is typed exactly against its column. Errors are
 * `InvalidArgument` (syntax, unknown column, literal that does not fit, with its position) or
 * `UnsupportedFeature` (functions, arithmetic).
 */
export function parseFilter(text: string, schema: StructType): Expr {
  return bindExpr(parseRawFilter(text), schema, text)
}
