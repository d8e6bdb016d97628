import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256Digest, sha512Digest } from '@meridian/oci';
import { DigestMismatchError, verifyDigest } from './verify-digest';

const chunks = [Buffer.from('layer '), Buffer.from('bytes '), Buffer.from('of meridian')];
const whole = Buffer.concat(chunks);

/** What a store would have received, and whether the stream ended cleanly. */
async function drain(expected: { digest: string; size?: number }) {
  const received: Buffer[] = [];
  const counted: number[] = [];
  const outcome = pipeline(
    Readable.from(chunks),
    verifyDigest(expected, (count) => counted.push(count)),
    async function (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) received.push(chunk);
    },
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  return { error: await outcome, received: Buffer.concat(received), counted };
}

describe(verifyDigest.name, () => {
  it('passes every byte through when digest and size match, counting them', async () => {
    const { error, received, counted } = await drain({
      digest: sha256Digest(whole),
      size: whole.length,
    });
    expect(error).toBeUndefined();
    expect(received.equals(whole)).toBe(true);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(whole.length);
  });

  it('fails before releasing the last chunk when the digest differs', async () => {
    const { error, received } = await drain({ digest: sha256Digest('other bytes') });
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect(received.length).toBeLessThan(whole.length);
  });

  it('checks a sha512 digest with sha512', async () => {
    const { error, received } = await drain({ digest: sha512Digest(whole), size: whole.length });
    expect(error).toBeUndefined();
    expect(received.equals(whole)).toBe(true);
  });

  it('fails a sha512 digest of other bytes before releasing the last chunk', async () => {
    const { error, received } = await drain({ digest: sha512Digest('other bytes') });
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect(received.length).toBeLessThan(whole.length);
  });

  it('fails when the size differs even if the digest matches', async () => {
    const { error } = await drain({ digest: sha256Digest(whole), size: whole.length + 1 });
    expect(error).toBeInstanceOf(DigestMismatchError);
  });
});
