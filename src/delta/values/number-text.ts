/**
 * Number syntax and integer ranges shared by every reader of numbers written as text: filter
 * literals (`coerce.ts`) and the log's partition values (`partition-value.ts`) must agree on
 * what a valid `byte` or `double` is.
 */

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  byte: [-128n, 127n],
  short: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
}

const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** The inclusive range of a Delta integer type (byte, short, integer, long); undefined for any other type. */
export function integerRange(type: string): readonly [bigint, bigint] | undefined {
  return Object.hasOwn(INTEGER_RANGES, type) ? INTEGER_RANGES[type] : undefined
}

/** Whether `text` is a plain or scientific decimal number (`-1.5`, `.5`, `2e3`), the finite float syntax. */
export function isFloatText(text: string): boolean {
  return FLOAT_TEXT.test(text)
}
