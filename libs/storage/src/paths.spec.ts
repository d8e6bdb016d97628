import { blobKey, digestOfBlobKey, uploadPrefix } from './paths';

const hex = 'ab'.repeat(32);
const hex512 = 'cd'.repeat(64);

describe('paths', () => {
  it('fans blobs out by the first two hex digits of their sha256', () => {
    expect(blobKey(`sha256:${hex}`)).toBe(`blobs/sha256/ab/${hex}`);
    expect(digestOfBlobKey(`blobs/sha256/ab/${hex}`)).toBe(`sha256:${hex}`);
  });

  it('keeps sha512 blobs in a directory of their own, fanned out the same way', () => {
    expect(blobKey(`sha512:${hex512}`)).toBe(`blobs/sha512/cd/${hex512}`);
    expect(digestOfBlobKey(`blobs/sha512/cd/${hex512}`)).toBe(`sha512:${hex512}`);
  });

  it.each([
    `sha512:${'a'.repeat(64)}`,
    `sha384:${'a'.repeat(96)}`,
    `md5:${'a'.repeat(32)}`,
    `sha256:${hex.toUpperCase()}`,
    'sha256:../../etc',
    'sha512:../../etc',
    '',
  ])('refuses to make a blob key of %j', (digest) => {
    expect(() => blobKey(digest)).toThrow('not a supported digest');
  });

  it('recognises only well-formed blob keys', () => {
    expect(digestOfBlobKey(`blobs/sha256/cd/${hex}`)).toBeUndefined();
    expect(digestOfBlobKey(`blobs/sha512/ab/${hex512}`)).toBeUndefined();
    expect(digestOfBlobKey(`blobs/sha512/ab/${hex}`)).toBeUndefined();
    expect(digestOfBlobKey(`blobs/sha256/ab/${hex}${hex}`)).toBeUndefined();
    expect(digestOfBlobKey(`blobs/md5/ab/${hex.slice(0, 32)}`)).toBeUndefined();
    expect(digestOfBlobKey(`_uploads/${hex}`)).toBeUndefined();
  });

  it('gives each upload its own prefix and refuses anything but a uuid', () => {
    expect(uploadPrefix('0b6f8a52-1c1e-4a57-9d4c-6f1a2b3c4d5e')).toBe(
      '_uploads/0b6f8a52-1c1e-4a57-9d4c-6f1a2b3c4d5e/',
    );
    expect(() => uploadPrefix('../x')).toThrow('not an upload id');
  });
});
