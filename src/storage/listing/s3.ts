import { DeltaError } from '../../delta/engine/errors.js'
import { findElements, firstText } from './xml.js'
import { parseSize, parseTime, type ListPage } from './page.js'

/**
 * Read one page of an S3 ListObjectsV2 answer (`list-type=2`). `CommonPrefixes` (folders) are
 * left out; `NextContinuationToken` is the next page's token while `IsTruncated` is true. A page
 * that is not a `ListBucketResult`, or that says it is truncated but gives no token, fails with
 * `InvalidData`: taking it as the end would hide newer files (an older version read as latest).
 */
export function parseS3ListPage(xml: string): ListPage {
  if (!/<ListBucketResult[\s>/]/.test(xml)) {
    throw new DeltaError('InvalidData', 'The S3 listing answer is not a ListBucketResult; check that the endpoint speaks ListObjectsV2.')
  }
  const objects = findElements(xml, 'Contents').map(({ inner }) => {
    const key = firstText(inner, 'Key') ?? ''
    return { key, size: parseSize(firstText(inner, 'Size'), key), lastModified: parseTime(firstText(inner, 'LastModified')) }
  })
  const flag = firstText(xml, 'IsTruncated')?.trim()
  if (flag !== undefined && flag !== 'true' && flag !== 'false') {
    throw new DeltaError('InvalidData', `The S3 listing says IsTruncated '${flag}'; the server's listing response is malformed.`)
  }
  if (flag !== 'true') return { objects }
  const next = firstText(xml, 'NextContinuationToken')
  if (!next) {
    throw new DeltaError('InvalidData', "The S3 listing says it is truncated but gives no NextContinuationToken, so the rest of the folder cannot be listed; the server's listing is broken.")
  }
  return { objects, next }
}
