/**
 * The management API's input: a small JSON body (at most 64 KiB; empty means `{}`) and path
 * parameters, validated with the contract's zod schemas. Whatever does not fit is refused
 * with 400 REQUEST_INVALID, naming each bad field and what was wrong with it.
 */
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '@meridian/contracts';
import type { z } from 'zod';

const maxBodyBytes = 64 * 1024;

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBodyBytes) {
      throw new RegistryError('REQUEST_INVALID', 'the request body is too large', {
        maxBytes: maxBodyBytes,
      });
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks, size).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RegistryError('REQUEST_INVALID', 'the request body is not JSON');
  }
}

/** Parses `value` with `schema`, or throws REQUEST_INVALID listing each bad field. */
export function validInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const invalid = parsed.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    problem: issue.message,
  }));
  throw new RegistryError(
    'REQUEST_INVALID',
    `invalid request: ${invalid.map(({ field, problem }) => `${field}: ${problem}`).join('; ')}`,
    { invalid },
  );
}
