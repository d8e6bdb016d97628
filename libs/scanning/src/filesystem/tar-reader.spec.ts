import { buildTar } from '../../test/build-layer';
import { type TarEntryHeader, TarFormatError, TarReader } from './tar-reader';

interface ReadEntry extends TarEntryHeader {
  body?: string;
}

/** Feeds `archive` in `chunkSize` pieces and collects every entry, keeping all bodies. */
function readAll(archive: Buffer, chunkSize: number): ReadEntry[] {
  const entries: ReadEntry[] = [];
  let parts: Buffer[] = [];
  const sut = new TarReader({
    entry: (header) => {
      entries.push({ ...header });
      parts = [];
      return true;
    },
    data: (chunk) => parts.push(Buffer.from(chunk)),
    entryEnd: () => (entries[entries.length - 1]!.body = Buffer.concat(parts).toString()),
  });
  for (let offset = 0; offset < archive.length; offset += chunkSize) {
    sut.write(archive.subarray(offset, offset + chunkSize));
  }
  sut.end();
  return entries;
}

/** A pax extended header entry carrying `records` for the entry that follows. */
function paxHeader(records: Record<string, string>): Buffer {
  const body = Object.entries(records)
    .map(([key, value]) => {
      const line = ` ${key}=${value}\n`;
      // the length counts bytes, its own digits included
      let length = Buffer.byteLength(line) + 1;
      while (Buffer.byteLength(`${length}${line}`) !== length) length += 1;
      return `${length}${line}`;
    })
    .join('');
  const tar = buildTar([{ name: 'PaxHeader/x', content: body }]);
  tar[156] = 'x'.charCodeAt(0);
  rewriteChecksum(tar);
  return tar.subarray(0, tar.length - 1024);
}

function rewriteChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
}

describe(TarReader.name, () => {
  const archive = buildTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/a', content: 'alpha' },
    { name: 'etc/link', type: 'symlink', linkName: '/etc/a' },
    { name: 'etc/empty', content: '' },
    { name: `usr/${'long/'.repeat(25)}name`, content: 'x'.repeat(1500) },
  ]);

  it.each([1, 7, 512, 100_000])('reads the same entries fed in chunks of %d bytes', (chunkSize) => {
    expect(readAll(archive, chunkSize)).toEqual([
      { name: 'etc/', type: 'directory', size: 0, linkName: '', body: '' },
      { name: 'etc/a', type: 'file', size: 5, linkName: '', body: 'alpha' },
      { name: 'etc/link', type: 'symlink', size: 0, linkName: '/etc/a', body: '' },
      { name: 'etc/empty', type: 'file', size: 0, linkName: '', body: '' },
      {
        name: `usr/${'long/'.repeat(25)}name`,
        type: 'file',
        size: 1500,
        linkName: '',
        body: 'x'.repeat(1500),
      },
    ]);
  });

  it('applies a pax header’s path and linkpath to the next entry only', () => {
    const longName = `opt/${'p'.repeat(300)}`;
    const tar = Buffer.concat([
      paxHeader({ path: longName, linkpath: 'target/ü' }),
      buildTar([
        { name: 'short', type: 'symlink', linkName: 'x' },
        { name: 'next', content: 'n' },
      ]),
    ]);
    expect(readAll(tar, 64).map(({ name, linkName }) => [name, linkName])).toEqual([
      [longName, 'target/ü'],
      ['next', ''],
    ]);
  });

  it('reads a base-256 size field', () => {
    const tar = buildTar([{ name: 'big', content: 'abc' }]);
    tar.fill(0, 124, 136);
    tar[124] = 0x80;
    tar[135] = 3;
    rewriteChecksum(tar);
    expect(readAll(tar, 512)).toEqual([
      { name: 'big', type: 'file', size: 3, linkName: '', body: 'abc' },
    ]);
  });

  it('refuses a header whose checksum does not add up, and an archive cut inside an entry', () => {
    const corrupt = Buffer.from(archive);
    corrupt[0] = 'X'.charCodeAt(0);
    expect(() => readAll(corrupt, 512)).toThrow(TarFormatError);
    expect(() => readAll(archive.subarray(0, 512 * 2 + 100), 512)).toThrow(/truncated archive/);
  });
});
