/**
 * A store owns the body of a `put` or an `appendUpload` from the moment it is called, before
 * its first `await`: an error the body emits while the store is still opening where to write
 * (a digest check failing on a one-chunk blob, a client gone) is kept by the stream and
 * surfaces when the store reads it, as the put's rejection, instead of reaching the process
 * as an 'error' event nobody listens to.
 */
import type { Readable } from 'node:stream';

export function ownBody<Body extends Readable | Buffer>(body: Body): Body {
  if (!Buffer.isBuffer(body)) body.on('error', keptForTheReader);
  return body;
}

function keptForTheReader(): void {
  // the stream keeps the error (`errored`); reading it rejects with it
}
