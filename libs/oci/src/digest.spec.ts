import {
  computeDigest,
  createDigester,
  digestLike,
  parseDigest,
  sha256Digest,
  sha512Digest,
} from './digest';
import { Digest, isSupportedDigest } from './grammar';
import { OciValidationError } from './oci-validation-error';

// sha256 of the empty string and of "{}" (image-spec's empty descriptor).
const emptyDigest = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const emptyJsonDigest = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
// sha512 of the empty string (FIPS 180-4 test vector, as `sha512sum </dev/null` prints it).
const emptySha512 =
  'sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

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

  describe(sha512Digest.name, () => {
    it('hashes bytes to sha512:<128 hex>', () => {
      expect(sha512Digest(Buffer.alloc(0))).toBe(emptySha512);
      expect(computeDigest('', 'sha512')).toBe(emptySha512);
      expect(computeDigest('')).toBe(emptyDigest);
    });
  });

  describe(digestLike.name, () => {
    it('hashes content with the algorithm of the digest it is compared with', () => {
      expect(digestLike(emptySha512, '')).toBe(emptySha512);
      expect(digestLike(emptyDigest, '{}')).toBe(emptyJsonDigest);
    });
  });

  describe(createDigester.name, () => {
    it('hashes with sha512 when asked, split anywhere', () => {
      const content = Buffer.from('a layer pushed by a sha512 client '.repeat(1000));
      const sut = createDigester('sha512');
      for (let offset = 0; offset < content.length; offset += 997) {
        sut.update(content.subarray(offset, offset + 997));
      }
      expect(sut.algorithm).toBe('sha512');
      expect(sut.digest()).toBe(sha512Digest(content));
      expect(sut.size).toBe(content.length);
    });

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

    it('splits a sha512 digest', () => {
      expect(parseDigest(emptySha512)).toEqual({
        algorithm: 'sha512',
        encoded: emptySha512.slice('sha512:'.length),
      });
      expect(isSupportedDigest(emptySha512)).toBe(true);
      expect(Digest.safeParse(emptySha512).success).toBe(true);
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
      emptySha512.toUpperCase().replace('SHA512', 'sha512'),
      `${emptySha512}0`,
      emptySha512.slice(0, -1),
      `sha512:${emptyDigest.slice('sha256:'.length)}`,
      'sha512:zz',
    ])('refuses the sha512 digest %j whose encoded part is not 128 lowercase hex', (value) => {
      const err = errorOf(() => parseDigest(value));
      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toBe(
        'invalid sha512 digest: the encoded part must be 128 lowercase hex digits',
      );
      expect(isSupportedDigest(value)).toBe(false);
      expect(Digest.safeParse(value).success).toBe(false);
    });

    it.each([
      ['sha384', `sha384:${'ab'.repeat(48)}`],
      ['blake3', `blake3:${'ab'.repeat(32)}`],
      ['sha1', 'sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709'],
      ['md5', 'md5:d41d8cd98f00b204e9800998ecf8427e'],
      ['multihash+base58', 'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8'],
    ])(
      'refuses the well-formed %s digest as unsupported, naming the algorithm',
      (algorithm, value) => {
        const err = errorOf(() => parseDigest(value));
        expect(err.code).toBe('DIGEST_INVALID');
        expect(err.message).toBe(
          `unsupported digest algorithm ${algorithm}: Meridian supports sha256 and sha512`,
        );
        expect(err.detail).toEqual({ digest: value });
        expect(isSupportedDigest(value)).toBe(false);
      },
    );
  });
});
