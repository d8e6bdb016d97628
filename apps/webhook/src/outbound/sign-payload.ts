/**
 * The signature a receiver checks: HMAC-SHA256, with the webhook's secret, over
 * `<timestamp>.<body>` (the timestamp is the `X-Meridian-Timestamp` header, Unix seconds),
 * sent hex-encoded as `X-Meridian-Signature: sha256=<hex>`. Binding the timestamp lets a
 * receiver refuse replays older than it tolerates.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'x-meridian-signature';
export const timestampHeader = 'x-meridian-timestamp';

export function signPayload(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (and what the tests do): recompute and compare in constant time. */
export function verifySignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signPayload(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
