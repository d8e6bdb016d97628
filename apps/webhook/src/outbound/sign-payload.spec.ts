import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from './sign-payload';

describe(signPayload.name, () => {
  const secret = 'a-webhook-secret-of-some-length';
  const body = '{"id":"e1","action":"push"}';

  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed sha256=', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signPayload(secret, 1700000000, body)).toBe(`sha256=${expected}`);
  });

  it('verifies for the same secret, timestamp and body only', () => {
    const signature = signPayload(secret, 1700000000, body);
    expect(verifySignature(secret, '1700000000', body, signature)).toBe(true);
    expect(verifySignature(secret, '1700000001', body, signature)).toBe(false);
    expect(verifySignature(secret, '1700000000', `${body} `, signature)).toBe(false);
    expect(verifySignature('another-secret-entirely', '1700000000', body, signature)).toBe(false);
  });
});
