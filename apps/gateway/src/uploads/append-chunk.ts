/**
 * Streams one request body into an upload, hashing the bytes on their way to the store:
 * no copy is kept, and the digest is known the moment the store has the last byte.
 *
 * A body cut short (the client went away, even after it was sent whole) or longer or shorter than its Content-Range said
 * makes the driver's append reject, and the driver then keeps the upload as it was before
 * this chunk: nothing partial is ever recorded.
 */
import { type Readable, Transform } from 'node:stream';
import { RegistryError, type UploadState } from '@meridian/contracts';
import type { Digester } from '@meridian/oci';
import type { StorageDriver } from '@meridian/storage';

/** Big buffers: a chunk is megabytes to gigabytes, fewer hand-offs are faster. */
const streamBufferBytes = 1024 * 1024;
/** Socket reads are up to 64 KiB: about a MiB in flight between request and store. */
const bufferedChunks = 16;

export interface AppendChunkInput {
  storage: StorageDriver;
  uploadId: string;
  state: UploadState;
  /** the request, or a body read from it already */
  body: Readable;
  digester: Digester;
  /** the chunk's length when the request declared it (Content-Range or Content-Length) */
  expectedBytes?: number;
}

export async function appendChunk(input: AppendChunkInput): Promise<UploadState> {
  const { body, digester, expectedBytes } = input;
  let received = 0;
  let refusal: RegistryError | undefined;
  const sizeInvalid = (): RegistryError =>
    new RegistryError('SIZE_INVALID', 'the chunk is not as long as its request declared', {
      declared: expectedBytes,
    });

  const hashing = new Transform({
    // The readable side hands the driver each chunk as it came: a byte-mode stream would
    // concatenate whatever is buffered into a new buffer on every read, a copy and an
    // allocation per read that show up as garbage collection under load.
    readableObjectMode: true,
    readableHighWaterMark: bufferedChunks,
    writableHighWaterMark: streamBufferBytes,
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.byteLength;
      if (expectedBytes !== undefined && received > expectedBytes) {
        refusal = sizeInvalid();
        return done(refusal);
      }
      digester.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (expectedBytes !== undefined && received !== expectedBytes) {
        refusal = sizeInvalid();
        return done(refusal);
      }
      done();
    },
  });
  // The driver may not be reading yet when the body fails; its read then sees the stream
  // errored. Without a listener, the 'error' event would take the process down first.
  hashing.on('error', () => undefined);
  // A body that arrived whole (`complete`) can still be lost before it was read: node drops
  // what it buffered when the connection ends first (a half-close after the body, bytes past
  // the Content-Length). Only `end` says the driver has been handed every byte; a close
  // before it fails the append, or the append, the upload's lock and its file would wait
  // for an end that never comes.
  const onAbort = (): void => {
    if (body.readableEnded) return;
    refusal ??= new RegistryError(
      'BLOB_UPLOAD_INVALID',
      'the client closed the connection mid-chunk',
    );
    hashing.destroy(refusal);
  };
  body.on('error', onAbort);
  body.on('close', onAbort);
  // the connection may have ended while the handler was still asking the blob service
  if (body.destroyed) onAbort();
  body.pipe(hashing);
  try {
    return await input.storage.appendUpload(input.uploadId, input.state, hashing, expectedBytes);
  } catch (error) {
    body.unpipe(hashing);
    hashing.destroy();
    throw refusal ?? error;
  } finally {
    body.off('error', onAbort);
    body.off('close', onAbort);
  }
}
