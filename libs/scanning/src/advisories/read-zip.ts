/**
 * Reads the entries of a zip archive (APPNOTE.TXT: end of central directory → central
 * directory → local headers), stored or deflated, which is how osv.dev ships its database
 * (`all.zip` per ecosystem). Node's zlib inflates; ZIP64 and encryption are refused.
 */
import { inflateRawSync } from 'node:zlib';

export class ZipFormatError extends Error {}

export interface ZipEntry {
  name: string;
  /** inflates on demand, refusing to produce more than `maxBytes` */
  read(maxBytes: number): Buffer;
}

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryHeader = 0x02014b50;
const localFileHeader = 0x04034b50;

export function readZipEntries(zip: Buffer): ZipEntry[] {
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (offset === 0xffffffff || count === 0xffff)
    throw new ZipFormatError('ZIP64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== centralDirectoryHeader) {
      throw new ZipFormatError(`central directory entry ${i} is damaged`);
    }
    const flags = zip.readUInt16LE(offset + 8);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    entries.push({
      name,
      read: (maxBytes) =>
        readEntry(zip, { name, flags, method, compressedSize, size, localOffset }, maxBytes),
    });
  }
  return entries;
}

interface EntryLocation {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function readEntry(zip: Buffer, entry: EntryLocation, maxBytes: number): Buffer {
  if (entry.flags & 0x1) throw new ZipFormatError(`${entry.name} is encrypted`);
  if (entry.size > maxBytes)
    throw new ZipFormatError(
      `${entry.name} is ${entry.size} bytes, over the ${maxBytes}-byte limit`,
    );
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== localFileHeader)
    throw new ZipFormatError(`${entry.name}: local header is damaged`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw new ZipFormatError(`${entry.name} is truncated`);
  switch (entry.method) {
    case 0:
      return data;
    case 8:
      return inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) });
    default:
      throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}`);
  }
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let offset = zip.length - 22; offset >= earliest; offset--) {
    if (zip.readUInt32LE(offset) === endOfCentralDirectory) return offset;
  }
  throw new ZipFormatError('not a zip archive (no end of central directory)');
}
