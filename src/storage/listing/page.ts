import { DeltaError } from '../../delta/engine/errors.js'

/** One object of a listing page, keyed by its full name in the bucket or container. */
export interface ListedObject {
  key: string
  size: number
  /** Milliseconds since the epoch; 0 when the listing gave no usable time. */
  lastModified: number
}

/** One page of a listing: its objects (folders left out) and the token for the next page. */
export interface ListPage {
  objects: ListedObject[]
  next?: string
}

/** A size field of a listing as a number, or an `InvalidData` error naming the object. */
export function parseSize(text: string | number | undefined, key: string): number {
  const size = typeof text === 'number' ? text : Number(text)
  if (text === undefined || text === '' || !Number.isSafeInteger(size) || size < 0) {
    throw new DeltaError('InvalidData', `The listing gave no valid size for "${key}"; the server's listing response is malformed.`)
  }
  return size
}

/** A date field of a listing (ISO 8601 or RFC 1123) as epoch milliseconds, 0 when unparsable. */
export function parseTime(text: string | undefined): number {
  const ms = text === undefined ? Number.NaN : Date.parse(text)
  return Number.isFinite(ms) ? ms : 0
}
