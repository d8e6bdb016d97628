/**
 * Measures the layer reader alone: writes a gzipped tar of 1 MiB files (random bytes that
 * gzip cannot shrink, or text it shrinks a little) to a scratch file, reads it back through
 * readImageFilesystem with the package-database predicate as the scan service does, and
 * reports MB/s and the peak RSS growth while reading.
 * Run: node -r @swc-node/register libs/scanning/test/read-layers.bench.ts [MiB] [layers] [binary|text]
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { isPackageDatabasePath } from '../src/packages/detect-packages';
import { readImageFilesystem } from '../src/filesystem/read-image-filesystem';
import { buildTar } from './build-layer';

/** incompressible bytes (binaries, already-compressed assets) or text that gzip shrinks about 3× */
type Content = 'binary' | 'text';

function fileContent(kind: Content, bytes: number): Buffer {
  if (kind === 'binary') return randomBytes(bytes);
  const words = randomBytes(bytes / 4)
    .toString('base64')
    .replace(/[+/=]/g, ' ');
  return Buffer.from(words.repeat(3).slice(0, bytes));
}

async function writeLayer(path: string, mebibytes: number, kind: Content): Promise<void> {
  const fileBytes = 1024 * 1024;
  function* archive(): Generator<Buffer> {
    for (let i = 0; i < mebibytes; i++) {
      // one header+body per file; the end-of-archive blocks only after the last
      const tar = buildTar([
        { name: `usr/share/bench/file-${i}.bin`, content: fileContent(kind, fileBytes) },
      ]);
      yield i === mebibytes - 1 ? tar : tar.subarray(0, tar.length - 1024);
    }
  }
  await pipeline(Readable.from(archive()), createGzip({ level: 6 }), createWriteStream(path));
}

async function main(): Promise<void> {
  const mebibytes = Number(process.argv[2] ?? 100);
  const layerCount = Number(process.argv[3] ?? 1);
  const kind: Content = process.argv[4] === 'text' ? 'text' : 'binary';
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-'));
  try {
    const path = join(dir, 'layer.tar.gz');
    await writeLayer(path, mebibytes, kind);
    const compressed = statSync(path).size;
    const layers = Array.from({ length: layerCount }, (_, i) => ({
      digest: `sha256:${String(i).padStart(64, '0')}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      open: async () => createReadStream(path, { highWaterMark: 1024 * 1024 }),
    }));
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const started = process.hrtime.bigint();
    const result = await readImageFilesystem(layers, isPackageDatabasePath);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    const megabytes = result.stats.tarBytes / 1e6;
    console.log(
      JSON.stringify({
        layers: layerCount,
        content: kind,
        compressedMiB: +(compressed / 2 ** 20).toFixed(1),
        tarMB: +megabytes.toFixed(1),
        seconds: +seconds.toFixed(3),
        tarMBps: +(megabytes / seconds).toFixed(1),
        compressedMBps: +(result.stats.compressedBytes / 1e6 / seconds).toFixed(1),
        rssGrowthMiB: +((peakRss - rssBefore) / 2 ** 20).toFixed(1),
        errors: result.errors.length,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
