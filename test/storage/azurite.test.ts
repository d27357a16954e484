import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { HttpStorage } from '../../src/storage/http.js'
import { azureSasSigner } from '../../src/storage/signers/azure.js'
import { allowAzuriteCors, azuriteContainerSas, createAzuriteContainer, startAzurite, type RunningServer } from '../helpers/servers.js'
import { runStorageContract } from './http-contract.js'

const CONTAINER = 'tables'
let azurite: RunningServer
let sas: string

beforeAll(async () => {
  azurite = await startAzurite()
  await createAzuriteContainer(azurite.url, CONTAINER)
  sas = azuriteContainerSas(CONTAINER, new Date(Date.now() + 3600_000))
})
afterAll(async () => {
  await azurite?.close()
})

function storageWith(sasToken: string, root: string, prefix = 'lake'): HttpStorage {
  return new HttpStorage({ signer: azureSasSigner({ accountUrl: azurite.url, container: CONTAINER, prefix, sas: sasToken }), root })
}

describe('HttpStorage on Azurite with a container SAS', () => {
  runStorageContract({ atomicCreate: true, list: true, write: true }, () => ({ make: (root) => storageWith(sas, root) }))

  it('accepts the SAS with a leading ? and from a function', async () => {
    const a = storageWith(`?${sas}`, 'sas-forms')
    await a.put('f.json', new Uint8Array([1, 2]))
    const b = new HttpStorage({
      signer: azureSasSigner({ accountUrl: azurite.url, container: CONTAINER, prefix: 'lake', sas: async () => sas }),
      root: 'sas-forms',
    })
    expect(await b.read('f.json')).toEqual(new Uint8Array([1, 2]))
  })

  it('pages through listings with the NextMarker', async () => {
    const storage = storageWith(sas, 'paged', '')
    const names = Array.from({ length: 7 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`)
    await Promise.all(names.map((n) => storage.put(n, new Uint8Array([1]))))
    // maxresults=3 forces three pages; added by a wrapping signer so the page loop is exercised.
    const backend = azureSasSigner({ accountUrl: azurite.url, container: CONTAINER, sas })
    const paged = new HttpStorage({
      signer: { ...backend, sign: async (op, path, opts) => {
        const req = await backend.sign(op, path, opts)
        return op === 'list' ? { ...req, url: `${req.url}&maxresults=3` } : req
      } },
      root: 'paged',
    })
    expect((await paged.list('_delta_log')).map((f) => f.path)).toEqual(names)
    expect((await paged.list('_delta_log', { startAfter: names[4] })).map((f) => f.path)).toEqual(names.slice(5))
  })

  it('answers a browser preflight for a conditional put once CORS is allowed', async () => {
    await allowAzuriteCors(azurite.url)
    const res = await fetch(`${azurite.url}/${CONTAINER}/lake/x.json?${sas}`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:5173', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'if-none-match,x-ms-blob-type' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeTruthy()
  })

  it('maps an expired SAS to AccessDenied on every operation', async () => {
    const expired = storageWith(azuriteContainerSas(CONTAINER, new Date(Date.now() - 60_000)), 'expired')
    for (const op of [() => expired.read('x'), () => expired.head('x'), () => expired.list('_delta_log'), () => expired.put('x', new Uint8Array(1))]) {
      const e = await op().then(() => undefined, (err: unknown) => err)
      expect(isDeltaError(e, 'AccessDenied'), String(e)).toBe(true)
    }
  })

  it('maps a SAS without write permission to AccessDenied naming the path', async () => {
    const readOnly = storageWith(azuriteContainerSas(CONTAINER, new Date(Date.now() + 3600_000), 'rl'), 'ro')
    const e = await readOnly.put('_delta_log/0.json', new Uint8Array(1)).then(() => undefined, (err: unknown) => err)
    expect(isDeltaError(e, 'AccessDenied')).toBe(true)
    expect(String(e)).toContain('_delta_log/0.json')
    expect(String(e)).not.toContain('sig=')
  })

  it('reports a missing container as NotFound when listing', async () => {
    const nopeSas = azuriteContainerSas('nope', new Date(Date.now() + 3600_000))
    const storage = new HttpStorage({ signer: azureSasSigner({ accountUrl: azurite.url, container: 'nope', sas: nopeSas }), root: 'x' })
    const e = await storage.list('').then(() => undefined, (err: unknown) => err)
    expect(isDeltaError(e, 'NotFound'), String(e)).toBe(true)
  })
})
