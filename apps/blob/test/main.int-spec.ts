/**
 * The service as the dev launcher runs it: `node -r @swc-node/register apps/blob/src/main.ts`
 * with its configuration in the environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { blobRpc } from '@meridian/contracts';
import { Nats, RpcClient } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import {
  type ManagedProcess,
  type TestDatabase,
  type TestNatsServer,
  createTestDatabase,
  spawnProcess,
  startNatsServer,
} from '@meridian/testing';

const repoRoot = resolve(__dirname, '..', '..', '..');

function startMain(env: NodeJS.ProcessEnv): ManagedProcess {
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  return spawnProcess({
    name: 'blob',
    command: process.execPath,
    args: ['-r', '@swc-node/register', join('apps', 'blob', 'src', 'main.ts')],
    cwd: repoRoot,
    env: { ...inherited, ...env },
  });
}

function isReadyLine(text: string): boolean {
  try {
    return (JSON.parse(text) as { msg?: string }).msg === 'service ready';
  } catch {
    return false;
  }
}

describe('blob main', () => {
  let nats: TestNatsServer;
  let database: TestDatabase;
  let storeDir: string;
  const processes: ManagedProcess[] = [];

  beforeAll(async () => {
    [nats, database, storeDir] = await Promise.all([
      startNatsServer({ serverName: 'blob-main' }),
      createTestDatabase('blob_main'),
      mkdtemp(join(tmpdir(), 'meridian-blob-main-')),
    ]);
  });
  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await Promise.all([
      nats?.stop(),
      database?.drop(),
      storeDir && rm(storeDir, { recursive: true, force: true }),
    ]);
  });

  it('starts, says it is ready with its service and region, answers RPCs and stops on SIGTERM', async () => {
    const child = startMain({
      MERIDIAN_REGION: 'eu-west',
      MERIDIAN_NATS_URL: nats.url,
      DATABASE_URL: database.url,
      MERIDIAN_STORAGE_DIR: storeDir,
      MERIDIAN_HEALTH_PORT: '0',
      MERIDIAN_HEALTH_HOST: '127.0.0.1',
    });
    processes.push(child);
    const ready = await child.waitForLine((line) => isReadyLine(line.text), {
      timeoutMs: 45_000,
      description: 'service ready',
    });
    expect(JSON.parse(ready.text)).toMatchObject({
      level: 'info',
      service: 'blob',
      region: 'eu-west',
    });

    // readiness: its NATS, database and store answer
    const { healthPort } = JSON.parse(ready.text) as { healthPort: number };
    const readiness = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(readiness.status).toBe(200);
    expect(await readiness.json()).toEqual({
      status: 'ready',
      checks: { nats: 'ok', database: 'ok', store: 'ok' },
    });
    expect((await fetch(`http://127.0.0.1:${healthPort}/livez`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text()).toContain(
      'target_info{service_name="meridian-blob",meridian_region="eu-west"} 1',
    );

    const logger = createLogger({ service: 'blob-main-test', region: 'eu-west', level: 'silent' });
    const connection = await Nats.connect({
      servers: nats.url,
      region: 'eu-west',
      service: 'test-client',
      logger,
    });
    const client = new RpcClient(connection);
    try {
      const started = await client.request(blobRpc.uploadStart, { repository: 'team/app' });
      expect(started.kind).toBe('session');
      // the session just started is the region's one open session
      expect(await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text()).toMatch(
        /^meridian_upload_sessions 1$/m,
      );
    } finally {
      await connection.close();
    }

    // a clean shutdown well within the grace period ends with exit code 0, as orchestrators expect
    await expect(child.stop({ graceMs: 20_000 })).resolves.toMatchObject({
      code: 0,
      signal: null,
    });
  });

  it('refuses a bad configuration with one message naming each bad key, and exits 1', async () => {
    const child = startMain({
      DATABASE_URL: database.url,
      MERIDIAN_NATS_URL: nats.url,
      MERIDIAN_STORAGE_DRIVER: 'ftp',
      MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: 'soon',
    });
    processes.push(child);
    const exit = await child.exited;

    expect(exit.code).toBe(1);
    const output = child.recentLines().map((line) => line.text);
    expect(output).toEqual([
      'blob: invalid configuration:',
      '  MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: expected a whole number of seconds, at least 1',
      '  MERIDIAN_STORAGE_DRIVER: expected filesystem or s3',
    ]);
  });
});
