/**
 * Builds image layers for the scanning tests: a ustar archive written byte by byte (so tests
 * can also write what no honest tool would, like `../` names), optionally gzipped, and a
 * LayerSource serving it as a stream in small chunks as a store would.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type LayerSource } from '../src/filesystem/image-filesystem';

export interface TarEntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'hardlink';
  content?: string | Buffer;
  linkName?: string;
}

const typeFlags = { file: '0', hardlink: '1', symlink: '2', directory: '5' } as const;

export function buildTar(entries: TarEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content =
      typeof entry.content === 'string'
        ? Buffer.from(entry.content)
        : (entry.content ?? Buffer.alloc(0));
    blocks.push(tarHeader(entry, content.length));
    if (content.length > 0) {
      blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function tarHeader(entry: TarEntrySpec, size: number): Buffer {
  const header = Buffer.alloc(512);
  let name = entry.name;
  if (Buffer.byteLength(name) > 100) {
    const split = name.lastIndexOf('/', 155);
    header.write(name.slice(0, split), 345);
    name = name.slice(split + 1);
  }
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write(typeFlags[entry.type ?? 'file'], 156);
  if (entry.linkName) header.write(entry.linkName, 157);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

export function gzipLayer(entries: TarEntrySpec[]): Buffer {
  return gzipSync(buildTar(entries));
}

/** Serves `bytes` as a layer blob, in chunks of `chunkSize` to exercise boundaries. */
export function layerSource(bytes: Buffer, chunkSize = 1000): LayerSource {
  return {
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    open: async () => Readable.from(chunked(bytes, chunkSize), { objectMode: false }),
  };
}

function* chunked(bytes: Buffer, chunkSize: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += chunkSize)
    yield bytes.subarray(offset, offset + chunkSize);
}
