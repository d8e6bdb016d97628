/**
 * A push-based streaming reader of tar archives (POSIX ustar, pax extended headers, GNU long
 * names), written for the scanner's hot path: chunks go in as they leave the decompressor,
 * entry bodies come out as slices of those chunks, and nothing but a 512-byte header and the
 * occasional pax record is ever copied. Bodies the visitor does not want are skipped in place.
 */

export class TarFormatError extends Error {}

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntryHeader {
  /** the name as archived (pax `path` or GNU long name applied); not normalised */
  name: string;
  type: TarEntryType;
  size: number;
  /** symlink target or hard link source */
  linkName: string;
}

export interface TarVisitor {
  /** returns true to receive the entry's body through `data` */
  entry(header: TarEntryHeader): boolean;
  data(chunk: Buffer): void;
  entryEnd(): void;
}

const blockSize = 512;
/** pax and GNU long-name records larger than this are refused (a name is at most 4 KiB) */
const maxMetaBytes = 1024 * 1024;

type MetaKind = 'pax' | 'global' | 'longName' | 'longLink';

type State =
  | { kind: 'header' }
  | { kind: 'body'; remaining: number; padding: number; deliver: boolean }
  | { kind: 'meta'; remaining: number; padding: number; meta: MetaKind; parts: Buffer[] }
  | { kind: 'padding'; remaining: number }
  | { kind: 'done' };

interface PendingOverrides {
  name?: string;
  linkName?: string;
  size?: number;
}

export class TarReader {
  private state: State = { kind: 'header' };
  private readonly headerBuffer = Buffer.alloc(blockSize);
  private headerFilled = 0;
  private overrides: PendingOverrides = {};
  /** bytes of the archive consumed before the current chunk, for error messages */
  private offset = 0;

  constructor(private readonly visitor: TarVisitor) {}

  /** Feeds the next chunk; throws TarFormatError when the bytes are not a tar archive. */
  write(chunk: Buffer): void {
    let position = 0;
    while (position < chunk.length && this.state.kind !== 'done') {
      position += this.step(chunk, position);
    }
    this.offset += chunk.length;
  }

  /** Ends the archive; throws TarFormatError when it stopped in the middle of an entry. */
  end(): void {
    if (this.state.kind === 'done') return;
    if (this.state.kind === 'header' && this.headerFilled === 0) return; // no end marker: tolerated
    throw new TarFormatError(
      `truncated archive: ended inside ${this.state.kind === 'header' ? 'a header' : 'an entry'}`,
    );
  }

  private step(chunk: Buffer, position: number): number {
    const state = this.state;
    switch (state.kind) {
      case 'header':
        return this.fillHeader(chunk, position);
      case 'body': {
        const length = Math.min(state.remaining, chunk.length - position);
        if (state.deliver && length > 0)
          this.visitor.data(chunk.subarray(position, position + length));
        state.remaining -= length;
        if (state.remaining === 0) {
          if (state.deliver) this.visitor.entryEnd();
          this.state =
            state.padding > 0 ? { kind: 'padding', remaining: state.padding } : { kind: 'header' };
        }
        return length;
      }
      case 'meta': {
        const length = Math.min(state.remaining, chunk.length - position);
        state.parts.push(Buffer.from(chunk.subarray(position, position + length)));
        state.remaining -= length;
        if (state.remaining === 0) {
          this.applyMeta(state.meta, Buffer.concat(state.parts));
          this.state =
            state.padding > 0 ? { kind: 'padding', remaining: state.padding } : { kind: 'header' };
        }
        return length;
      }
      case 'padding': {
        const length = Math.min(state.remaining, chunk.length - position);
        state.remaining -= length;
        if (state.remaining === 0) this.state = { kind: 'header' };
        return length;
      }
      case 'done':
        return chunk.length - position;
    }
  }

  private fillHeader(chunk: Buffer, position: number): number {
    const length = Math.min(blockSize - this.headerFilled, chunk.length - position);
    chunk.copy(this.headerBuffer, this.headerFilled, position, position + length);
    this.headerFilled += length;
    if (this.headerFilled === blockSize) {
      this.headerFilled = 0;
      this.onHeader(this.headerBuffer, this.offset + position + length - blockSize);
    }
    return length;
  }

  private onHeader(block: Buffer, headerOffset: number): void {
    if (isZeroBlock(block)) {
      // one zero block ends the archive for us; GNU tar writes two, and padding may follow
      this.state = { kind: 'done' };
      return;
    }
    verifyChecksum(block, headerOffset);
    const typeFlag = String.fromCharCode(block[156]!);
    const meta = metaKind(typeFlag);
    if (meta) {
      this.startMeta(meta, readNumber(block, 124, 12));
      return;
    }
    this.startEntry(block, typeFlag);
  }

  private startMeta(meta: MetaKind, size: number): void {
    if (size > maxMetaBytes)
      throw new TarFormatError(`extended header of ${size} bytes is too large`);
    this.state = { kind: 'meta', remaining: size, padding: paddingOf(size), meta, parts: [] };
    if (size === 0) this.finishZeroLengthMeta(meta);
  }

  private startEntry(block: Buffer, typeFlag: string): void {
    const size = this.overrides.size ?? readNumber(block, 124, 12);
    const type = entryType(typeFlag);
    // links and directories have no body, whatever their size field claims; skip it all the same
    const hasBody = type === 'file' || type === 'other';
    const header: TarEntryHeader = {
      name: this.overrides.name ?? readName(block),
      type,
      size: hasBody ? size : 0,
      linkName: this.overrides.linkName ?? readString(block, 157, 100),
    };
    this.overrides = {};
    const deliver = this.visitor.entry(header);
    if (header.size > 0) {
      this.state = { kind: 'body', remaining: header.size, padding: paddingOf(size), deliver };
      return;
    }
    if (deliver) this.visitor.entryEnd();
    const skipped = size + paddingOf(size);
    this.state = skipped > 0 ? { kind: 'padding', remaining: skipped } : { kind: 'header' };
  }

  private finishZeroLengthMeta(meta: MetaKind): void {
    this.applyMeta(meta, Buffer.alloc(0));
    this.state = { kind: 'header' };
  }

  private applyMeta(meta: MetaKind, body: Buffer): void {
    switch (meta) {
      case 'pax':
        Object.assign(this.overrides, parsePax(body));
        return;
      case 'global':
        // global records (git archive's commit id) name nothing Meridian reads
        return;
      case 'longName':
        this.overrides.name = cString(body);
        return;
      case 'longLink':
        this.overrides.linkName = cString(body);
        return;
    }
  }
}

function paddingOf(size: number): number {
  return (blockSize - (size % blockSize)) % blockSize;
}

function metaKind(typeFlag: string): MetaKind | undefined {
  switch (typeFlag) {
    case 'x':
      return 'pax';
    case 'g':
      return 'global';
    case 'L':
      return 'longName';
    case 'K':
      return 'longLink';
    default:
      return undefined;
  }
}

function entryType(typeFlag: string): TarEntryType {
  switch (typeFlag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < blockSize; i++) if (block[i] !== 0) return false;
  return true;
}

function verifyChecksum(block: Buffer, offset: number): void {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < blockSize; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  const recorded = parseOctal(block, 148, 8);
  if (recorded === undefined || (recorded !== unsigned && recorded !== signed)) {
    throw new TarFormatError(`not a tar archive: bad header checksum at byte ${offset}`);
  }
}

function readName(block: Buffer): string {
  const name = readString(block, 0, 100);
  // ustar (magic "ustar\0") splits long names into prefix/name; GNU's "ustar  " uses the field otherwise
  if (block.toString('latin1', 257, 263) === 'ustar\0') {
    const prefix = readString(block, 345, 155);
    if (prefix) return `${prefix}/${name}`;
  }
  return name;
}

function readString(block: Buffer, start: number, length: number): string {
  return cString(block.subarray(start, start + length));
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end === -1 ? bytes.length : end);
}

function readNumber(block: Buffer, start: number, length: number): number {
  if (block[start]! & 0x80) return readBase256(block, start, length);
  const value = parseOctal(block, start, length);
  if (value === undefined) throw new TarFormatError('not a tar archive: unreadable size field');
  return value;
}

function readBase256(block: Buffer, start: number, length: number): number {
  let value = block[start]! & 0x7f;
  for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
  if (!Number.isSafeInteger(value)) throw new TarFormatError('entry size too large');
  return value;
}

function parseOctal(block: Buffer, start: number, length: number): number | undefined {
  let value = 0;
  let i = start;
  const end = start + length;
  while (i < end && block[i] === 0x20) i++;
  for (; i < end; i++) {
    const byte = block[i]!;
    if (byte === 0 || byte === 0x20) break;
    if (byte < 0x30 || byte > 0x37) return undefined;
    value = value * 8 + (byte - 0x30);
  }
  return value;
}

/** pax records: "<length> <key>=<value>\n"; only the keys that change what we read matter. */
function parsePax(body: Buffer): PendingOverrides {
  const overrides: PendingOverrides = {};
  let position = 0;
  while (position < body.length) {
    const space = body.indexOf(0x20, position);
    if (space === -1) break;
    const length = Number(body.toString('latin1', position, space));
    if (!Number.isInteger(length) || length <= 0 || position + length > body.length) {
      throw new TarFormatError('malformed pax extended header');
    }
    const record = body.toString('utf8', space + 1, position + length - 1);
    const equals = record.indexOf('=');
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === 'path') overrides.name = value;
    else if (key === 'linkpath') overrides.linkName = value;
    else if (key === 'size') overrides.size = Number(value);
    position += length;
  }
  if (overrides.size !== undefined && !Number.isSafeInteger(overrides.size)) {
    throw new TarFormatError('malformed pax size');
  }
  return overrides;
}
