import { encodeKey, joinKey, trimBase, type HttpBackend, type HttpOperation, type SignOptions, type SignedRequest } from '../http-signer.js'

/** Where an Azure Blob table lives and the SAS token that grants access to it. */
export interface AzureSasSignerOptions {
  /** `https://<account>.blob.core.windows.net`, or Azurite's `http://127.0.0.1:10000/devstoreaccount1`. */
  accountUrl: string
  container: string
  /** The blob-name prefix of the table's namespace in the container. */
  prefix?: string
  /**
   * A container (or account) SAS query string from your backend, with or without the leading
   * `?`; or a function returning a current one, so an expiring token can be renewed.
   */
  sas: string | (() => string | Promise<string>)
}

/**
 * A backend that appends a SAS token to Blob service URLs. Needs read/list for reading and
 * add/create/write/delete for writing. Conditional creates send `If-None-Match: *`, which Azure
 * honours atomically.
 */
export function azureSasSigner(opts: AzureSasSignerOptions): HttpBackend {
  const containerUrl = `${trimBase(opts.accountUrl)}/${encodeURIComponent(opts.container)}`
  const prefix = opts.prefix ?? ''
  const sign = async (op: HttpOperation, path: string, so: SignOptions): Promise<SignedRequest> => {
    const sas = (typeof opts.sas === 'function' ? await opts.sas() : opts.sas).replace(/^\?/, '')
    if (op === 'list') return { url: `${containerUrl}?${listQuery(prefix, so)}&${sas}` }
    const url = `${containerUrl}/${encodeKey(joinKey(prefix, path))}?${sas}`
    if (op !== 'put') return { url }
    const headers: Record<string, string> = { 'x-ms-blob-type': 'BlockBlob' }
    if (so.ifAbsent) headers['If-None-Match'] = '*'
    return { url, headers }
  }
  return { sign, listing: 'azure', conditionalCreate: 'if-none-match', write: true }
}

// List Blobs has no start-after; the marker is the service's own opaque page token.
function listQuery(prefix: string, so: SignOptions): string {
  const full = joinKey(prefix, so.prefix ?? '')
  const query = new URLSearchParams({ restype: 'container', comp: 'list', prefix: full === '' ? '' : `${full}/`, delimiter: '/' })
  if (so.continuation !== undefined) query.set('marker', so.continuation)
  return query.toString()
}
