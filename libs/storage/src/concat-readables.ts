import { Readable } from 'node:stream';

/** A source whose bytes come as a buffer already in memory or a stream opened on demand. */
export type ByteSource = Buffer | (() => Promise<Readable>);

/**
 * One stream of the sources' bytes, in order. Streams are opened only when the previous
 * one has ended, so a reader that stops early never opens (or leaks) the rest.
 */
export function concatReadables(sources: ByteSource[], highWaterMark = 1024 * 1024): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    for (const source of sources) {
      if (Buffer.isBuffer(source)) {
        if (source.length > 0) yield source;
        continue;
      }
      const stream = await source();
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } finally {
        stream.destroy();
      }
    }
  }
  return Readable.from(bytes(), { objectMode: false, highWaterMark });
}
