import { pipeline, type Readable, Transform } from 'node:stream';

/**
 * `body`'s bytes, failing when it carries more or fewer than `expected`: a body shorter than
 * its declared length must not become a short object, and an S3 request whose body does not
 * match its Content-Length would otherwise hang or be cut by the server. An error of `body`
 * itself reaches the returned stream too.
 */
export function expectLength(body: Readable, expected: number, what: string): Readable {
  let seen = 0;
  const checked = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > expected) done(new Error(`${what}: more than the expected ${expected} bytes`));
      else done(null, chunk);
    },
    flush(done) {
      done(seen === expected ? null : new Error(`${what}: ${seen} bytes, expected ${expected}`));
    },
  });
  // Errors surface on `checked`, where the consumer is listening; nothing to do here.
  pipeline(body, checked, () => undefined);
  return checked;
}
