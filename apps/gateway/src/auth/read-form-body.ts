/**
 * Reads a small form-encoded request body (`application/x-www-form-urlencoded`), refusing
 * one larger than `maxBytes`: a token request is a few hundred bytes.
 */
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '@meridian/contracts';

export async function readFormBody(
  request: IncomingMessage,
  maxBytes = 64 * 1024,
): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new RegistryError('SIZE_INVALID', 'the form is too large', { maxBytes });
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks, size).toString('utf8'));
}
