import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildTar, gzipLayer, layerSource } from '../../test/build-layer';
import { readImageFilesystem } from './read-image-filesystem';

const wantEtc = (path: string): boolean => path.startsWith('etc/') || path.startsWith('usr/lib/');
const text = (buffer: Buffer | undefined): string | undefined => buffer?.toString('utf8');

describe(readImageFilesystem.name, () => {
  it('keeps only wanted files, from gzip and plain tar layers, across chunk boundaries', async () => {
    const big = 'x'.repeat(70_000);
    const sut = await readImageFilesystem(
      [
        layerSource(
          gzipLayer([
            { name: 'etc/', type: 'directory' },
            { name: 'etc/big', content: big },
            { name: 'bin/sh', content: 'elf' },
          ]),
          777,
        ),
        layerSource(buildTar([{ name: './etc/hostname', content: 'meridian\n' }]), 512),
      ],
      wantEtc,
    );
    expect(sut.errors).toEqual([]);
    expect([...sut.files.keys()].sort()).toEqual(['etc/big', 'etc/hostname']);
    expect(text(sut.files.get('etc/big'))).toBe(big);
    expect(text(sut.files.get('etc/hostname'))).toBe('meridian\n');
    expect(sut.stats.layers).toBe(2);
  });

  it('applies a whiteout and an opaque directory only to lower layers', async () => {
    const sut = await readImageFilesystem(
      [
        layerSource(
          gzipLayer([
            { name: 'etc/a', content: 'a' },
            { name: 'etc/b', content: 'b' },
            { name: 'etc/sub/c', content: 'c' },
          ]),
        ),
        layerSource(
          gzipLayer([
            { name: 'etc/.wh.a', content: '' },
            { name: 'etc/sub/.wh..wh..opq', content: '' },
            { name: 'etc/sub/d', content: 'd' },
          ]),
        ),
      ],
      wantEtc,
    );
    expect([...sut.files.keys()].sort()).toEqual(['etc/b', 'etc/sub/d']);
  });

  it('lets an upper file replace a lower one, and a whited-out directory lose its children', async () => {
    const sut = await readImageFilesystem(
      [
        layerSource(
          gzipLayer([
            { name: 'etc/os-release', content: 'old' },
            { name: 'etc/dir/x', content: 'x' },
          ]),
        ),
        layerSource(
          gzipLayer([
            { name: 'etc/os-release', content: 'new' },
            { name: 'etc/.wh.dir', content: '' },
          ]),
        ),
      ],
      wantEtc,
    );
    expect(text(sut.files.get('etc/os-release'))).toBe('new');
    expect(sut.files.has('etc/dir/x')).toBe(false);
  });

  it('serves a wanted symlink with its target, absolute or relative, through directory links', async () => {
    const sut = await readImageFilesystem(
      [
        layerSource(
          gzipLayer([
            { name: 'usr/lib/os-release', content: 'ID=debian\n' },
            { name: 'etc/os-release', type: 'symlink', linkName: '../usr/lib/os-release' },
            { name: 'lib', type: 'symlink', linkName: '/usr/lib' },
            { name: 'etc/via-dir', type: 'symlink', linkName: '/lib/os-release' },
            { name: 'etc/dangling', type: 'symlink', linkName: '/nowhere' },
          ]),
        ),
      ],
      wantEtc,
    );
    expect(sut.errors).toEqual([]);
    expect(text(sut.files.get('etc/os-release'))).toBe('ID=debian\n');
    expect(text(sut.files.get('etc/via-dir'))).toBe('ID=debian\n');
    expect(sut.files.has('etc/dangling')).toBe(false);
  });

  it('reports a symlink loop as an error of that file', async () => {
    const sut = await readImageFilesystem(
      [
        layerSource(
          gzipLayer([
            { name: 'etc/a', type: 'symlink', linkName: 'b' },
            { name: 'etc/b', type: 'symlink', linkName: '/etc/a' },
          ]),
        ),
      ],
      wantEtc,
    );
    expect(sut.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          scope: 'file',
          subject: 'etc/a',
          message: expect.stringMatching(/symlink loop/),
        }),
      ]),
    );
  });

  it('refuses entries with .. and absolute paths and keeps reading the layer', async () => {
    const layer = layerSource(
      gzipLayer([
        { name: '../../etc/passwd', content: 'root' },
        { name: 'etc/../../escape', content: 'x' },
        { name: '/etc/shadow', content: 'secret' },
        { name: 'etc/hosts', content: 'ok' },
      ]),
    );
    const sut = await readImageFilesystem([layer], wantEtc);
    expect(sut.errors.map((error) => [error.scope, error.subject, error.layer])).toEqual([
      ['file', '../../etc/passwd', layer.digest],
      ['file', 'etc/../../escape', layer.digest],
      ['file', '/etc/shadow', layer.digest],
    ]);
    expect([...sut.files.keys()]).toEqual(['etc/hosts']);
  });

  it('reports an invalid gzip layer and still reads the next one', async () => {
    const broken = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(200, 0x41)]);
    const sut = await readImageFilesystem(
      [layerSource(broken), layerSource(gzipLayer([{ name: 'etc/ok', content: 'ok' }]))],
      wantEtc,
    );
    expect(sut.errors).toEqual([
      {
        scope: 'layer',
        subject: layerSource(broken).digest,
        message: expect.stringMatching(/^not a valid gzip stream/),
      },
    ]);
    expect(text(sut.files.get('etc/ok'))).toBe('ok');
  });

  it('reads zstd layers; a truncated one is reported and hides nothing below it', async () => {
    const tar = buildTar([{ name: 'etc/zstd', content: 'z'.repeat(300_000) }]);
    const zstd = execFileSync('zstd', ['-q', '-c', '-3'], { input: tar });
    const sut = await readImageFilesystem(
      [layerSource(zstd, 100), layerSource(zstd.subarray(0, zstd.length - 10))],
      wantEtc,
    );
    expect(sut.files.get('etc/zstd')?.equals(Buffer.from('z'.repeat(300_000)))).toBe(true);
    expect(sut.errors).toEqual([
      expect.objectContaining({ scope: 'layer', message: expect.stringMatching(/zstd|truncated/) }),
    ]);
  });

  it('reports bytes that are not a tar archive, plain or gzipped', async () => {
    const junk = Buffer.from('{"not":"a layer"}'.padEnd(2048, ' '));
    const gzipped = await readImageFilesystem([layerSource(gzipSync(junk))], wantEtc);
    expect(gzipped.errors).toEqual([
      expect.objectContaining({
        scope: 'layer',
        message: expect.stringMatching(/^not a tar archive/),
      }),
    ]);
    const sut = await readImageFilesystem([layerSource(junk)], wantEtc);
    expect(sut.errors).toEqual([
      expect.objectContaining({
        scope: 'layer',
        message: expect.stringMatching(/not a tar archive/),
      }),
    ]);
  });

  it('reports a truncated layer, keeping the entries read before the cut', async () => {
    const tar = buildTar([
      { name: 'etc/first', content: 'one' },
      { name: 'etc/second', content: 'y'.repeat(5000) },
    ]);
    const truncatedTar = tar.subarray(0, 2048);
    const truncatedGzip = gzipLayer([{ name: 'etc/first', content: 'one' }]).subarray(0, 30);
    const sut = await readImageFilesystem(
      [layerSource(truncatedTar), layerSource(truncatedGzip)],
      wantEtc,
    );
    expect(sut.errors).toEqual([
      expect.objectContaining({ scope: 'layer', message: expect.stringMatching(/truncated/) }),
      expect.objectContaining({
        scope: 'layer',
        message: 'truncated layer: the gzip stream ends early',
      }),
    ]);
    expect(text(sut.files.get('etc/first'))).toBe('one');
    expect(sut.files.has('etc/second')).toBe(false);
  });

  it('skips a wanted file over the size limit with an error', async () => {
    const sut = await readImageFilesystem(
      [layerSource(gzipLayer([{ name: 'etc/huge', content: 'z'.repeat(2000) }]))],
      wantEtc,
      {
        maxFileBytes: 1000,
      },
    );
    expect(sut.files.has('etc/huge')).toBe(false);
    expect(sut.errors).toEqual([expect.objectContaining({ scope: 'file', subject: 'etc/huge' })]);
  });

  it('reads long names and hard links as GNU tar writes them (pax and ././@LongLink)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-scanning-'));
    try {
      const deep = `etc/${'d'.repeat(120)}/${'e'.repeat(60)}`;
      mkdirSync(join(dir, 'root', deep), { recursive: true });
      writeFileSync(join(dir, 'root', deep, 'file.txt'), 'deep');
      writeFileSync(join(dir, 'root', 'etc', 'original'), 'linked');
      execFileSync('ln', [
        join(dir, 'root', 'etc', 'original'),
        join(dir, 'root', 'etc', 'hardlink'),
      ]);
      for (const format of ['gnu', 'pax']) {
        execFileSync('tar', [
          '-C',
          join(dir, 'root'),
          `--format=${format}`,
          '-czf',
          join(dir, `${format}.tgz`),
          'etc',
        ]);
        const sut = await readImageFilesystem(
          [layerSource(readFileSync(join(dir, `${format}.tgz`)), 4096)],
          wantEtc,
        );
        expect(sut.errors).toEqual([]);
        expect(text(sut.files.get(`${deep}/file.txt`))).toBe('deep');
        expect(text(sut.files.get('etc/hardlink'))).toBe('linked');
        expect(text(sut.files.get('etc/original'))).toBe('linked');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
