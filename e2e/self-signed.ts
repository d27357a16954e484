import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'

// A throwaway TLS certificate for test servers on 127.0.0.1, written as DER by hand so the
// tests need no openssl binary. Browsers are told to ignore its errors; it only has to parse.

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts)

function oid(text: string): Buffer {
  const [a = 0, b = 0, ...rest] = text.split('.').map(Number)
  const bytes = [40 * a + b]
  for (const n of rest) {
    const chunk = [n & 0x7f]
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0')
  const text = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
  return tlv(0x17, Buffer.from(text, 'ascii'))
}

function commonName(cn: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))))
}

/** A fresh P-256 key and a self-signed certificate for 127.0.0.1, both PEM, valid one day. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const algorithm = seq(oid('1.2.840.10045.4.3.2')) // ecdsa-with-SHA256
  const now = Date.now()
  const serial = randomBytes(8)
  serial[0]! &= 0x7f // a positive INTEGER
  const san = seq(oid('2.5.29.17'), tlv(0x04, seq(tlv(0x87, Buffer.from([127, 0, 0, 1])))))
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    algorithm,
    commonName('127.0.0.1'),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86400_000))),
    commonName('127.0.0.1'),
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(san)),
  )
  const signature = sign('sha256', tbs, privateKey)
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature))
  const pem = (label: string, body: Buffer): string =>
    `-----BEGIN ${label}-----\n${body.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: pem('CERTIFICATE', der) }
}
