import { DeltaError } from '../../delta/engine/errors.js'
import { parseSize, parseTime, type ListPage } from './page.js'

/**
 * Read one page of a GCS JSON API object listing (`/storage/v1/b/<bucket>/o`). `prefixes`
 * (folders) are left out; `nextPageToken` is the next page's token. An answer that is not a JSON
 * object, or whose `items` is not an array, fails with `InvalidData`.
 */
export function parseGcsListPage(json: string): ListPage {
  let body: unknown
  try {
    body = JSON.parse(json)
  } catch {
    // The parser's message quotes the answer: leave it out.
    throw new DeltaError('InvalidData', 'The GCS listing answer is not JSON; check that the list URL points at the JSON API.')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DeltaError('InvalidData', 'The GCS listing answer is not a JSON object; check that the list URL points at the JSON API.')
  }
  const { items, nextPageToken } = body as { items?: unknown; nextPageToken?: unknown }
  if (items !== undefined && !Array.isArray(items)) throw new DeltaError('InvalidData', "The GCS listing's items is not an array; the listing response is malformed.")
  const objects = ((items ?? []) as unknown[]).map((raw) => {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as { name?: unknown; size?: unknown; updated?: unknown }
    const key = typeof item.name === 'string' ? item.name : ''
    const size = typeof item.size === 'string' || typeof item.size === 'number' ? item.size : undefined
    return { key, size: parseSize(size, key), lastModified: parseTime(typeof item.updated === 'string' ? item.updated : undefined) }
  })
  if (nextPageToken !== undefined && typeof nextPageToken !== 'string') {
    throw new DeltaError('InvalidData', "The GCS listing's nextPageToken is not a string; the listing response is malformed.")
  }
  return nextPageToken ? { objects, next: nextPageToken } : { objects }
}
