// comlink ships this adapter's types as node-adapter.d.ts, which TypeScript does not pair with
// the .mjs file; this restates them for the import the Node pool and worker make.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink'
  /** The part of a Node MessagePort or Worker the adapter uses. */
  export interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void
    on(type: string, listener: (value: unknown) => void): void
    off(type: string, listener: (value: unknown) => void): void
    start?: () => void
  }
  /** A comlink Endpoint over a Node worker or port. */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint
}
