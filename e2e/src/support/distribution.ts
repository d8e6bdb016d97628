/**
 * CNCF distribution (Debian's `docker-registry`), the reference registry, started the
 * same way as a Meridian under test so the end-to-end tests can be checked against it:
 * filesystem storage in a temporary directory, deletes enabled, on a free port.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ManagedProcess,
  RegistryClient,
  freePort,
  spawnProcess,
  waitForHttp,
} from '@meridian/testing';
import { writeRegistryAuthFile } from './registry-auth-file';
import { RegistryLog } from './registry-log';
import { type RegistryUnderTest } from './registry-under-test';

export async function startDistribution(label: string): Promise<RegistryUnderTest> {
  const root = await mkdtemp(join(tmpdir(), 'meridian-e2e-distribution-'));
  const dataDir = join(root, 'data');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(root, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: info }',
      `storage: { filesystem: { rootdirectory: ${dataDir} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
    ].join('\n'),
  );
  const log = new RegistryLog(`distribution-${label}`);
  // distribution runs without authentication: clients hold credentials they never need
  const credentials = { username: 'admin', password: 'unused' };
  const authFile = await writeRegistryAuthFile(root, `127.0.0.1:${port}`, credentials);
  let registry: ManagedProcess | undefined;

  async function start(): Promise<void> {
    const current = spawnProcess({
      name: `distribution ${label}`,
      command: 'docker-registry',
      args: ['serve', config],
      onLine: (line) => log.write(line),
    });
    registry = current;
    await waitForHttp(`${url}/v2/`, {
      timeoutMs: 30_000,
      abortIf: () => (current.running ? undefined : current.startError('docker-registry exited')),
    });
  }

  async function stop() {
    if (!registry) throw new Error('distribution was not started');
    return registry.stop();
  }

  await start();
  return {
    kind: 'distribution',
    url,
    host: `127.0.0.1:${port}`,
    client: new RegistryClient(url),
    credentials,
    authFile,
    dataDir,
    describeOutput: (lines) => log.describe(lines),
    stop,
    start,
    async dispose() {
      if (registry?.running) await stop();
      await log.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
