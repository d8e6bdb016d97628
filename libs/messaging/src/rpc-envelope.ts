import { type ErrorBody } from '@meridian/contracts';

/** Every RPC reply: the value, or the error the handler raised. */
export type RpcReply<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(decoder.decode(data));
}
