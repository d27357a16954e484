import { transferHandlers, type TransferHandler } from 'comlink'
import { DeltaError, type DeltaErrorCode } from '../delta/engine/errors.js'
import type { StorageDescriptor } from './protocol.js'

/** A DeltaError on the wire: just what the other side needs to rebuild it. */
interface WireDeltaError {
  name: 'DeltaError'
  code: DeltaErrorCode
  message: string
}

/** A thrown value as comlink hands it to the `throw` handler. */
interface Thrown {
  value: unknown
}

function toWire(e: DeltaError): WireDeltaError {
  return { name: 'DeltaError', code: e.code, message: e.message }
}

function isWireError(v: unknown): v is { deltaError: WireDeltaError } {
  return typeof v === 'object' && v !== null && 'deltaError' in v
}

// A DeltaError thrown in a worker must reach the caller as a DeltaError with its code, not as
// comlink's plain Error (which keeps only name, message and stack): wrap the built-in handler.
function deltaThrowHandler(builtin: TransferHandler<unknown, unknown>): TransferHandler<unknown, unknown> {
  return {
    canHandle: (v): v is unknown => builtin.canHandle(v),
    serialize: (v) => {
      const thrown = (v as Thrown).value
      if (thrown instanceof DeltaError) return [{ deltaError: toWire(thrown) }, []]
      return builtin.serialize(v)
    },
    deserialize: (s) => {
      if (isWireError(s)) throw new DeltaError(s.deltaError.code, s.deltaError.message)
      return builtin.deserialize(s)
    },
  }
}

const errorValueHandler: TransferHandler<DeltaError, WireDeltaError> = {
  canHandle: (v): v is DeltaError => v instanceof DeltaError,
  serialize: (e) => [toWire(e), []],
  deserialize: (w) => new DeltaError(w.code, w.message),
}

/** Descriptors that carry a function or object living on the sending side. */
function hasLiveParts(v: unknown): v is StorageDescriptor {
  if (typeof v !== 'object' || v === null) return false
  const d = v as { kind?: unknown; sign?: unknown; storage?: unknown }
  return (d.kind === 'http' && typeof d.sign === 'function') || (d.kind === 'object' && typeof d.storage === 'object' && d.storage !== null)
}

// comlink only proxies functions at the top level of an argument; a descriptor nests its signer
// (or storage object), so this handler proxies that part through a MessagePort of its own.
function storageDescriptorHandler(proxy: TransferHandler<unknown, unknown>): TransferHandler<StorageDescriptor, unknown> {
  return {
    canHandle: hasLiveParts,
    serialize: (d) => {
      const live = d.kind === 'http' ? d.sign : d.kind === 'object' ? d.storage : undefined
      const [port, transfer] = proxy.serialize(live)
      return [{ ...d, [d.kind === 'http' ? 'sign' : 'storage']: port }, transfer]
    },
    deserialize: (wire) => {
      const d = wire as StorageDescriptor & { sign?: unknown; storage?: unknown }
      const key = d.kind === 'http' ? 'sign' : 'storage'
      return { ...d, [key]: proxy.deserialize(d[key]) } as StorageDescriptor
    },
  }
}

let registered = false

/**
 * Teach comlink the library's types, on both sides of a worker boundary (the worker entry and
 * the pool call it; calling it again does nothing): DeltaErrors, thrown or returned, keep their
 * code, and storage descriptors carry their signer or storage object as a proxy.
 */
export function registerDeltaTransferHandlers(): void {
  if (registered) return
  const builtinThrow = transferHandlers.get('throw')
  const proxy = transferHandlers.get('proxy')
  if (!builtinThrow || !proxy) throw new DeltaError('Internal', 'comlink has no built-in throw or proxy handler: install comlink 4.4')
  transferHandlers.set('throw', deltaThrowHandler(builtinThrow))
  transferHandlers.set('deltalake-error', errorValueHandler as TransferHandler<unknown, unknown>)
  transferHandlers.set('deltalake-storage', storageDescriptorHandler(proxy) as TransferHandler<unknown, unknown>)
  registered = true
}
