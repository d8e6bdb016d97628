/**
 * Answers a nats-server's nkey challenge with Node's own Ed25519 (OpenSSL) instead of the
 * nats client's `nkeyAuthenticator`, whose TweetNaCl in plain JavaScript derives the key
 * pair twice and signs once per connection: run cold, at a service's start, that cost
 * 85–150 ms of CPU in every service (docs/benchmarks.md, "Start and footprint"). Same
 * keys, same signatures (Ed25519 is deterministic); the seed is still read and checked by
 * the nats client's nkeys.
 */
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { type Authenticator, nkeys } from '@nats-io/transport-node';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** PKCS #8 for an Ed25519 private key, before its 32-byte seed (RFC 8410) */
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

export function nkeySeedAuthenticator(seed: string): Authenticator {
  // checks the seed (its prefix and checksum), or throws
  nkeys.fromSeed(new TextEncoder().encode(seed));
  // two bytes of prefix, the 32 bytes of the Ed25519 seed, two of checksum
  const rawSeed = fromBase32(seed).subarray(2, 34);
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, rawSeed]),
    format: 'der',
    type: 'pkcs8',
  });
  // the last 32 bytes of the SubjectPublicKeyInfo are the key itself
  const rawPublic = createPublicKey(privateKey)
    .export({ format: 'der', type: 'spki' })
    .subarray(-32);
  // a seed reads "S" then the letter of the key's role, the first letter of its public key
  const nkey = encodePublicKey(base32Alphabet.indexOf(seed[1] ?? '') << 3, rawPublic);
  return (nonce?: string) => ({
    nkey,
    sig: nonce ? nkeys.encode(sign(null, Buffer.from(nonce), privateKey)) : '',
  });
}

/** An nkey public key: base32 of the role's prefix byte, the key and their CRC-16 (XMODEM). */
function encodePublicKey(prefix: number, key: Uint8Array): string {
  const payload = Buffer.concat([Buffer.of(prefix), key]);
  const crc = crc16(payload);
  return base32(Buffer.concat([payload, Buffer.of(crc & 0xff, crc >>> 8)]));
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function fromBase32(text: string): Buffer {
  const bytes: number[] = [];
  let value = 0;
  let bits = 0;
  for (const char of text) {
    value = (value << 5) | base32Alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(bytes);
}

function base32(bytes: Uint8Array): string {
  let text = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return bits > 0 ? text + base32Alphabet[(value << (5 - bits)) & 31] : text;
}
