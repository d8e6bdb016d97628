#!/usr/bin/env node
/**
 * `npm run bench:scan`: how long the scan service takes to scan an image of 3 × 100 MiB
 * layers, and how much memory it takes doing it (issue 6's target: bounded by reading the
 * layers, at least 100 MB/s, memory flat in layer size).
 *
 * Starts one region with the launcher (authentication off, the OSV fixture database of
 * apps/scan/test/fixtures/osv), then for each of BENCH_RUNS images (default 3):
 *   1. builds three gzip layers of 100 × 1 MiB incompressible files (as binaries are), the
 *      first with a dpkg status, the second with a package-lock.json, the third with a Python
 *      dist-info, and pushes them with the manifest through the OCI API;
 *   2. times the manifest PUT → `scan.completed.v1` for it (a subscription on the region's
 *      event subject): reading every layer, matching, SBOM and report referrers, the report;
 *   3. reads the scan service's peak resident memory (VmHWM of its process) before the
 *      first image and after each.
 * For comparison it times reading the same three layer files from disk through gunzip alone.
 * Environment: BENCH_RUNS (3), BENCH_LAYER_MIB (100), BENCH_KEEP=1 keeps the data dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { eventSubject, scanCompleted } from '@meridian/contracts';
import { connect } from '@nats-io/transport-node';
import { observerConnectOptions } from '../apps/dev/src/nats-credentials';

const root = resolve(__dirname, '..');
const mib = 1024 * 1024;
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const layerMib = Number(process.env['BENCH_LAYER_MIB'] ?? 100);
const log = (line: string) => console.log(`[bench] ${line}`);

const packageFiles: Record<string, string>[] = [
  {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    'var/lib/dpkg/status':
      'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u1\n\n',
  },
  {
    'srv/app/package-lock.json': JSON.stringify({
      lockfileVersion: 3,
      packages: { '': { name: 'app' }, 'node_modules/lodash': { version: '4.17.20' } },
    }),
  },
  {
    'usr/lib/python3/site-packages/requests-2.25.0.dist-info/METADATA':
      'Name: requests\nVersion: 2.25.0\n',
  },
];

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-scan-'));
  await chmod(dataDir, 0o755);
  const launched = await launch(dataDir);
  try {
    const nats = await connect({
      servers: launched.natsUrl,
      ...(await observerConnectOptions(dataDir, 'us-east')),
    });
    const completed = new Map<string, () => void>();
    nats.subscribe(eventSubject('us-east', scanCompleted.name), {
      callback: (_err, msg) => completed.get(scanCompleted.schema.parse(msg.json()).digest)?.(),
    });
    await nats.flush();
    const scanPid = await findDescendant(launched.child.pid!, 'apps/scan/src/main.ts');
    log(`scan service pid ${scanPid}, peak RSS at start ${await peakRssMib(scanPid)} MiB`);

    const wall: number[] = [];
    const rates: number[] = [];
    const gunzipRates: number[] = [];
    for (let run = 0; run < runs; run++) {
      const repository = `bench/scan-${run}`;
      const layerFiles = await Promise.all(
        packageFiles.map((files, index) => writeLayer(dataDir, `${run}-${index}`, files)),
      );
      const bytes = layerFiles.reduce((sum, layer) => sum + layer.size, 0);
      gunzipRates.push(bytes / mib / (await gunzipSeconds(layerFiles.map((l) => l.path))));
      const layers = [];
      for (const layer of layerFiles)
        layers.push(await pushBlob(launched.gateway, repository, await readFile(layer.path)));
      const config = await pushBlob(
        launched.gateway,
        repository,
        Buffer.from(
          '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
        ),
      );
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: layers.map((descriptor) => ({
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            ...descriptor,
          })),
        }),
      );
      const digest = sha256(manifest);
      const done = new Promise<void>((resolveDone) => completed.set(digest, resolveDone));
      const started = performance.now();
      await request(launched.gateway, 'PUT', `/v2/${repository}/manifests/v1`, [201], manifest, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
      });
      await withTimeout(done, 300_000, `scan.completed for ${repository}`);
      const seconds = (performance.now() - started) / 1000;
      wall.push(seconds);
      rates.push(bytes / mib / seconds);
      log(
        `image ${run + 1}/${runs}: ${(bytes / mib).toFixed(0)} MiB of layers scanned in ${seconds.toFixed(2)} s ` +
          `(${(bytes / mib / seconds).toFixed(0)} MiB/s); scan service peak RSS ${await peakRssMib(scanPid)} MiB`,
      );
      await Promise.all(layerFiles.map((layer) => rm(layer.path)));
    }
    log(`manifest PUT → scan.completed, s: ${summary(wall)}`);
    log(`scan rate over the compressed layers, MiB/s: ${summary(rates)}`);
    log(`the same layers read from disk through gunzip alone, MiB/s: ${summary(gunzipRates)}`);
    log(`scan service peak RSS after all: ${await peakRssMib(scanPid)} MiB`);
    await nats.close();
  } finally {
    launched.child.kill('SIGTERM');
    await new Promise((resolveExit) => launched.child.once('exit', resolveExit));
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
    else log(`data kept in ${dataDir}`);
  }
}

/** A gzip tar of `layerMib` incompressible 1 MiB files and the package files, on disk. */
async function writeLayer(
  dir: string,
  name: string,
  files: Record<string, string>,
): Promise<{ path: string; size: number }> {
  const parts: Buffer[] = [];
  for (const [path, content] of Object.entries(files))
    parts.push(...tarEntry(path, Buffer.from(content)));
  for (let index = 0; index < layerMib; index++)
    parts.push(...tarEntry(`opt/payload/file-${index}.bin`, randomBytes(mib)));
  parts.push(Buffer.alloc(1024));
  const gzipped = gzipSync(Buffer.concat(parts), { level: 1 });
  const path = join(dir, `layer-${name}.tar.gz`);
  await writeFile(path, gzipped);
  return { path, size: gzipped.length };
}

/** One ustar header and the padded body. */
function tarEntry(name: string, content: Buffer): Buffer[] {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return [header, content, Buffer.alloc((512 - (content.length % 512)) % 512)];
}

async function gunzipSeconds(paths: string[]): Promise<number> {
  const started = performance.now();
  for (const path of paths) {
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    await pipeline(createReadStream(path), createGunzip(), sink);
  }
  return (performance.now() - started) / 1000;
}

/** The launcher in the foreground, one region, auth off; its gateway and NATS URLs. */
async function launch(
  dataDir: string,
): Promise<{ child: ChildProcess; gateway: string; natsUrl: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_PORT: String(port),
    MERIDIAN_REGIONS: 'us-east',
    MERIDIAN_LOG_FORMAT: 'json',
    MERIDIAN_LOG_LEVEL: 'warn',
    MERIDIAN_AUTH_MODE: 'off',
    MERIDIAN_ADVISORY_DB: join(root, 'apps/scan/test/fixtures/osv'),
  };
  for (const key of ['DATABASE_URL', 'MERIDIAN_POSTGRES_PORT', 'MERIDIAN_NATS_PORT'])
    delete env[key];
  log(`starting one region on port ${port} in ${dataDir}`);
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/dev/src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let natsUrl = '';
  return new Promise((resolveLaunch, reject) => {
    const timer = setTimeout(() => reject(new Error('meridian was not ready in 240 s')), 240_000);
    child.once('exit', (code) => reject(new Error(`the launcher exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let record: { msg?: string; url?: string; regions?: Record<string, string> };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      if (record.msg === 'nats-server ready' && record.url) natsUrl = record.url;
      if (record.msg === 'meridian ready' && record.regions) {
        clearTimeout(timer);
        resolveLaunch({ child, gateway: record.regions['us-east']!, natsUrl });
      }
    });
  });
}

/** The process below `ancestor` whose command line contains `script`. */
async function findDescendant(ancestor: number, script: string): Promise<number> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(Number(entry), ppid);
  }
  const below = (pid: number): boolean => {
    for (
      let current = parents.get(pid);
      current !== undefined && current > 1;
      current = parents.get(current)
    )
      if (current === ancestor) return true;
    return false;
  };
  for (const pid of parents.keys()) {
    if (!below(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(script)) return pid;
  }
  throw new Error(`no process running ${script} below ${ancestor}`);
}

async function peakRssMib(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return (kib / 1024).toFixed(0);
}

async function pushBlob(
  gateway: string,
  repository: string,
  bytes: Buffer,
): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  await request(
    gateway,
    'POST',
    `/v2/${repository}/blobs/uploads/?digest=${digest}`,
    [201],
    bytes,
    {
      'content-type': 'application/octet-stream',
    },
  );
  return { digest, size: bytes.length };
}

async function request(
  gateway: string,
  method: string,
  path: string,
  expected: number[],
  body: Buffer,
  headers: Record<string, string>,
): Promise<void> {
  const response = await fetch(`${gateway}${path}`, { method, body, headers });
  if (!expected.includes(response.status))
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${median.toFixed(2)}, min ${sorted[0]?.toFixed(2)}, max ${sorted.at(-1)?.toFixed(2)} (n=${sorted.length})`;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
