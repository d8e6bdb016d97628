import { createDigester, parseDigest, sha256Digest } from './digest';
import { OciValidationError } from './oci-validation-error';

// sha256 of the empty string and of "{}" (image-spec's empty descriptor).
const emptyDigest = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const emptyJsonDigest = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

function errorOf(fn: () => unknown): OciValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OciValidationError) return err;
    throw err;
  }
  throw new Error('expected an OciValidationError');
}

describe('digest', () => {
  describe(sha256Digest.name, () => {
    it('hashes bytes and strings to sha256:<hex>', () => {
      expect(sha256Digest(Buffer.alloc(0))).toBe(emptyDigest);
      expect(sha256Digest(Buffer.from('{}'))).toBe(emptyJsonDigest);
      expect(sha256Digest('{}')).toBe(emptyJsonDigest);
    });
  });

  describe(createDigester.name, () => {
    it('gives the same digest for a stream split anywhere as for the whole', () => {
      const content = Buffer.from('a manifest, a layer, anything at all '.repeat(1000));
      const sut = createDigester();
      for (let offset = 0; offset < content.length; offset += 997) {
        sut.update(content.subarray(offset, offset + 997));
      }
      expect(sut.digest()).toBe(sha256Digest(content));
      expect(sut.size).toBe(content.length);
    });

    it('can report a digest mid-stream and keep hashing', () => {
      const sut = createDigester();
      expect(sut.digest()).toBe(emptyDigest);
      sut.update(Buffer.from('{'));
      expect(sut.digest()).toBe(sha256Digest('{'));
      sut.update(Buffer.from('}'));
      expect(sut.digest()).toBe(emptyJsonDigest);
      expect(sut.digest()).toBe(emptyJsonDigest);
      expect(sut.size).toBe(2);
    });
  });

  describe(parseDigest.name, () => {
    it('splits a sha256 digest', () => {
      expect(parseDigest(emptyDigest)).toEqual({
        algorithm: 'sha256',
        encoded: emptyDigest.slice('sha256:'.length),
      });
    });

    it.each([
      '',
      'sha256',
      'sha256:',
      ':abc',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n',
      'sha256:e3b0/../c442',
      'sha256:e3b0 c442',
    ])('refuses the malformed %j', (value) => {
      const err = errorOf(() => parseDigest(value));
      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toBe('invalid digest');
    });

    it.each([
      emptyDigest.toUpperCase().replace('SHA256', 'sha256'),
      `${emptyDigest}0`,
      emptyDigest.slice(0, -1),
      'sha256:zz',
    ])('refuses the sha256 digest %j whose encoded part is not 64 lowercase hex', (value) => {
      const err = errorOf(() => parseDigest(value));
      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toMatch(/^invalid sha256 digest/);
    });

    it.each([
      ['sha512', `sha512:${'ab'.repeat(64)}`],
      ['sha384', `sha384:${'ab'.repeat(48)}`],
      ['md5', 'md5:d41d8cd98f00b204e9800998ecf8427e'],
      ['multihash+base58', 'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8'],
    ])(
      'refuses the well-formed %s digest as unsupported, naming the algorithm',
      (algorithm, value) => {
        const err = errorOf(() => parseDigest(value));
        expect(err.code).toBe('DIGEST_INVALID');
        expect(err.message).toBe(
          `unsupported digest algorithm ${algorithm}: Meridian supports sha256 only`,
        );
        expect(err.detail).toEqual({ digest: value });
      },
    );
  });
});
