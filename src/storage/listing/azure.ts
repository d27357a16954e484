import { DeltaError } from '../../delta/engine/errors.js'
import { decodeXmlText, findElements, firstText } from './xml.js'
import { parseSize, parseTime, type ListPage } from './page.js'

/**
 * Read one page of an Azure List Blobs answer (`restype=container&comp=list`). `BlobPrefix`
 * entries (folders) are left out; a non-empty `NextMarker` is the next page's marker. An answer
 * that is not an `EnumerationResults` fails with `InvalidData`.
 */
export function parseAzureListPage(xml: string): ListPage {
  if (!/<EnumerationResults[\s>/]/.test(xml)) {
    throw new DeltaError('InvalidData', 'The Azure listing answer is not an EnumerationResults document; check the account URL and container.')
  }
  const objects = findElements(xml, 'Blob').map(({ inner }) => {
    const key = readBlobName(inner)
    return {
      key,
      size: parseSize(firstText(inner, 'Content-Length'), key),
      lastModified: parseTime(firstText(inner, 'Last-Modified')),
    }
  })
  const next = firstText(xml, 'NextMarker')?.trim()
  return next ? { objects, next } : { objects }
}

// Names with characters XML cannot carry come as <Name Encoded="true"> with percent-encoding.
function readBlobName(blobXml: string): string {
  const el = findElements(blobXml, 'Name')[0]
  if (el === undefined) return ''
  const text = decodeXmlText(el.inner)
  if (!/Encoded\s*=\s*"true"/i.test(el.attributes)) return text
  try {
    return decodeURIComponent(text)
  } catch (cause) {
    throw new DeltaError('InvalidData', `The Azure listing holds a blob name that is not valid percent-encoding: '${text}'.`, { cause })
  }
}
