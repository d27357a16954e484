import type { DeltaError } from '../../engine/errors.js'
import { syntaxError, tokenize, type SyntaxNoun, type Token } from './lexer.js'

/**
 * The tokens of one text and a position in them, with the look-ahead and error helpers a
 * recursive-descent parser needs. Errors point at a token and say what was found there, naming
 * the text as the caller knows it (a filter, an expression).
 */
export class TokenCursor {
  private i = 0
  private readonly tokens: Token[]

  constructor(protected readonly text: string, protected readonly noun: SyntaxNoun) {
    this.tokens = tokenize(text, noun)
  }

  /** The token `ahead` places from the current one (negative looks back); past the end, `end`. */
  protected peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!
  }

  /** The current token, moving past it (never past `end`). */
  protected next(): Token {
    const t = this.peek()
    if (this.i < this.tokens.length - 1) this.i++
    return t
  }

  /** Whether the current token is the unquoted keyword `word` (upper case), in any case. */
  protected isKeyword(word: string): boolean {
    const t = this.peek()
    return t.kind === 'ident' && !t.quoted && t.text.toUpperCase() === word
  }

  protected isOp(op: string): boolean {
    const t = this.peek()
    return t.kind === 'op' && t.text === op
  }

  /** An `InvalidArgument`: `message`, what was found at `t`, and where. */
  protected fail(message: string, t: Token = this.peek()): DeltaError {
    const found = t.kind === 'end' ? `the end of the ${this.noun}` : `'${this.text.slice(t.pos, t.pos + 12).split(/\s/)[0]}'`
    return syntaxError(this.text, t.pos, `${message}, found ${found}`, this.noun)
  }

  protected expectOp(op: string, what: string): void {
    if (!this.isOp(op)) throw this.fail(`expected ${what}`)
    this.next()
  }

  protected expectKeyword(word: string, what: string): void {
    if (!this.isKeyword(word)) throw this.fail(`expected ${what}`)
    this.next()
  }
}
