/**
 * One Delta value in JavaScript form. The Delta type says how to read it:
 * - `boolean`: boolean
 * - `byte`, `short`, `integer`, `float`, `double`: number
 * - `long`: bigint
 * - `decimal(p,s)`: bigint, the unscaled value (123.45 in decimal(5,2) is 12345n)
 * - `string`: string; `binary`: Uint8Array
 * - `date`: number, days since 1970-01-01
 * - `timestamp`: bigint, microseconds since the epoch (UTC)
 * - `timestamp_ntz`: bigint, microseconds since 1970-01-01T00:00 wall-clock time
 * SQL NULL is `null`, always kept apart from the empty string.
 */
export type Scalar = boolean | number | bigint | string | Uint8Array
