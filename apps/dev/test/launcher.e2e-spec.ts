/**
 * The launcher as users run it, a foreground process, with stand-in services: small
 * scripts that honour the service contract (log `service ready`, serve `GET /v2/`) and
 * report what they were given. Real embedded Postgres and nats-servers.
 */
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  expectEventually,
  freePortPair,
  type ManagedProcess,
  spawnProcess,
} from '@meridian/testing';
import { connect } from '@nats-io/transport-node';
import postgres from 'postgres';
import { observerConnectOptions } from '../src/nats-credentials';

const repoRoot = resolve(__dirname, '..', '..', '..');

// Logs like a service, exits 1 when named in STUB_FAIL, and on SIGTERM reports whether its
// nats-server still answers (the launcher stops services before brokers).
const stubService = `
const http = require('node:http');
const net = require('node:net');
const service = process.argv[1].split('/').slice(-3)[0];
const region = process.env.MERIDIAN_REGION;
const log = (msg, fields = {}) => console.log(JSON.stringify({ level: 'info', service, region, pid: process.pid, msg, ...fields }));
if ((process.env.STUB_FAIL || '').split(',').includes(service)) {
  console.log(JSON.stringify({ level: 'fatal', service, region, msg: 'invalid configuration', keys: ['MERIDIAN_STUB'] }));
  process.exit(1);
}
log('starting', { env: Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('MERIDIAN_') || key === 'DATABASE_URL')) });
const nats = new URL(process.env.MERIDIAN_NATS_URL);
if (service === 'gateway') {
  http.createServer((req, res) => { res.statusCode = req.url === '/v2/' ? 200 : 404; res.end('{}'); })
    .listen(Number(process.env.MERIDIAN_PORT), process.env.MERIDIAN_HOST, () => log('service ready'));
} else {
  log('service ready');
}
setInterval(() => {}, 1000);
process.on('SIGTERM', () => {
  const probe = net.connect(Number(nats.port), nats.hostname, () => { log('stopping', { natsUp: true }); process.exit(0); });
  probe.on('error', () => { log('stopping', { natsUp: false }); process.exit(0); });
});
`;

interface LogRecord {
  level?: string;
  service?: string;
  region?: string;
  msg?: string;
  pid?: number;
  natsUp?: boolean;
  env?: Record<string, string>;
  regions?: Record<string, string>;
}

describe('dev launcher', () => {
  let root: string;
  let dataDir: string;
  let port: number;
  const launchers: ManagedProcess[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'meridian-dev-launcher-'));
    // the embedded Postgres runs as another user when the tests run as root
    await chmod(root, 0o755);
    dataDir = join(root, 'data');
    for (const service of [
      'blob',
      'manifest',
      'auth',
      'replication',
      'webhook',
      'scan',
      'gateway',
    ]) {
      await mkdir(join(root, 'apps', service, 'src'), { recursive: true });
      await writeFile(join(root, 'apps', service, 'src', 'main.ts'), stubService);
    }
    // the services are started with `-r @swc-node/register` from this root
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    await writeFile(
      join(root, 'launch.js'),
      `require(${JSON.stringify(join(repoRoot, 'apps/dev/src/run-launcher.ts'))}).runLauncher(${JSON.stringify(root)});\n`,
    );
    port = await freePortPair();
  });

  afterAll(async () => {
    await Promise.all(launchers.map((launcher) => launcher.stop({ signal: 'SIGKILL' })));
    await rm(root, { recursive: true, force: true });
  });

  function launch(env: Record<string, string> = {}): ManagedProcess {
    const launcher = spawnProcess({
      name: 'launcher',
      command: process.execPath,
      args: ['-r', '@swc-node/register', join(root, 'launch.js')],
      cwd: repoRoot,
      env: {
        ...process.env,
        MERIDIAN_DATA_DIR: dataDir,
        MERIDIAN_PORT: String(port),
        MERIDIAN_REGIONS: 'us-east,eu-west',
        MERIDIAN_LOG_FORMAT: 'json',
        ...env,
      },
      retainLines: 1000,
      // the launcher's own shutdown takes the services down; the harness must not interrupt it
      stopSignal: 'SIGINT',
      stopGraceMs: 30_000,
    });
    launchers.push(launcher);
    return launcher;
  }

  function records(launcher: ManagedProcess): LogRecord[] {
    return launcher
      .recentLines()
      .filter((line) => line.text.startsWith('{'))
      .map((line) => JSON.parse(line.text) as LogRecord);
  }

  function isReady(text: string): boolean {
    return text.includes('"msg":"meridian ready"');
  }

  describe('a running system', () => {
    let launcher: ManagedProcess;

    beforeAll(async () => {
      launcher = launch();
      await launcher.waitForLine((line) => isReady(line.text), {
        timeoutMs: 90_000,
        description: 'meridian ready',
      });
    });

    it('announces every region with its gateway URL once the gateways answer', async () => {
      const ready = records(launcher).find((record) => record.msg === 'meridian ready');
      expect(ready?.regions).toEqual({
        'us-east': `http://127.0.0.1:${port}`,
        'eu-west': `http://127.0.0.1:${port + 1}`,
      });
      for (const url of Object.values(ready!.regions!))
        expect((await fetch(`${url}/v2/`)).status).toBe(200);
    });

    it("starts a region's services side by side, and replication once every other service of every region is ready", () => {
      const lifecycle = records(launcher)
        .filter((record) => ['starting', 'service ready'].includes(record.msg ?? ''))
        .map((record) => `${record.region} ${record.service} ${record.msg}`);
      const at = (line: string) => {
        expect(lifecycle).toContain(line);
        return lifecycle.indexOf(line);
      };
      const others = ['blob', 'manifest', 'auth', 'webhook', 'scan', 'gateway'];
      for (const region of ['us-east', 'eu-west']) {
        for (const service of [...others, 'replication']) {
          expect(lifecycle.filter((line) => line === `${region} ${service} starting`)).toHaveLength(
            1,
          );
          expect(at(`${region} ${service} starting`)).toBeLessThan(
            at(`${region} ${service} service ready`),
          );
        }
      }
      // replication reads the peers' event streams, which their services create
      const lastOtherReady = Math.max(
        ...['us-east', 'eu-west'].flatMap((region) =>
          others.map((service) => at(`${region} ${service} service ready`)),
        ),
      );
      for (const region of ['us-east', 'eu-west'])
        expect(at(`${region} replication starting`)).toBeGreaterThan(lastOtherReady);
    });

    it('gives each region its own broker, database and store', () => {
      const envOf = (region: string, service: string) =>
        records(launcher).find(
          (record) =>
            record.msg === 'starting' && record.region === region && record.service === service,
        )!.env!;
      const usEast = envOf('us-east', 'blob');
      const euWest = envOf('eu-west', 'blob');
      expect(usEast).toMatchObject({
        MERIDIAN_REGION: 'us-east',
        MERIDIAN_STORAGE_DRIVER: 'filesystem',
        MERIDIAN_STORAGE_DIR: join(dataDir, 'us-east', 'store'),
        MERIDIAN_LOG_LEVEL: 'info',
      });
      expect(usEast['DATABASE_URL']).toMatch(
        /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/meridian_us_east$/,
      );
      expect(euWest['DATABASE_URL']).toMatch(/\/meridian_eu_west$/);
      expect(usEast['MERIDIAN_NATS_URL']).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(euWest['MERIDIAN_NATS_URL']).not.toBe(usEast['MERIDIAN_NATS_URL']);
      expect(envOf('us-east', 'gateway')).toMatchObject({
        MERIDIAN_HOST: '127.0.0.1',
        MERIDIAN_PORT: String(port),
      });
      expect(envOf('eu-west', 'replication')).toMatchObject({
        MERIDIAN_PEERS: 'us-east',
        MERIDIAN_PEER_US_EAST_STORAGE_DIR: join(dataDir, 'us-east', 'store'),
      });
    });

    const envOfService = (region: string, service: string) =>
      records(launcher).find(
        (record) =>
          record.msg === 'starting' && record.region === region && record.service === service,
      )!.env!;

    it('gives every service its own NATS key and refuses connections without one', async () => {
      const seeds = ['us-east', 'eu-west'].flatMap((region) =>
        ['blob', 'manifest', 'auth', 'replication', 'webhook', 'scan', 'gateway'].map(
          (service) => envOfService(region, service)['MERIDIAN_NATS_NKEY_SEED'],
        ),
      );
      expect(seeds.every((seed) => /^SU[A-Z2-7]{56}$/.test(seed ?? ''))).toBe(true);
      expect(new Set(seeds).size).toBe(seeds.length);
      await expect(
        connect({
          servers: envOfService('us-east', 'blob')['MERIDIAN_NATS_URL'],
          reconnect: false,
        }),
      ).rejects.toThrow(/authorization violation/i);
      for (const file of [
        join(dataDir, 'nats-credentials.json'),
        join(dataDir, 'us-east', 'nats', 'nats-server.conf'),
        join(dataDir, 'signing-key-secret'),
        join(dataDir, 'webhook-secret-key'),
        join(dataDir, 'upload-state-key'),
      ])
        expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(envOfService('eu-west', 'auth')['MERIDIAN_SIGNING_KEY_SECRET']).toBe(
        envOfService('us-east', 'auth')['MERIDIAN_SIGNING_KEY_SECRET'],
      );
      expect(envOfService('us-east', 'webhook')['MERIDIAN_WEBHOOK_SECRET_KEY']).toMatch(/.{16,}/);
      // the gateways open upload sessions themselves (apps/gateway upload-states.ts)
      expect(envOfService('us-east', 'gateway')['MERIDIAN_UPLOAD_STATE_KEY']).toMatch(/.{16,}/);
    });

    it("joins the regions' brokers: each reaches the other's JetStream domain", async () => {
      for (const [from, to] of [
        ['eu-west', 'us-east'],
        ['us-east', 'eu-west'],
      ] as const) {
        // as the region's read-only observer, as benchmarks and tools connect
        const connection = await connect({
          servers: envOfService(from, 'replication')['MERIDIAN_NATS_URL'],
          ...(await observerConnectOptions(dataDir, from)),
        });
        try {
          const info = await expectEventually(
            () => connection.request(`$JS.${to}.API.INFO`, '', { timeout: 1000 }),
            { timeoutMs: 15_000 },
          );
          expect(info.json<{ domain?: string }>().domain).toBe(to);
        } finally {
          await connection.close();
        }
      }
    });

    it('restarts a service that dies', async () => {
      const blob = records(launcher).find(
        (record) => record.region === 'us-east' && record.service === 'blob',
      )!;
      process.kill(blob.pid!, 'SIGKILL');
      await launcher.waitForLine((line) =>
        line.text.includes('us-east/blob was killed by SIGKILL; restarting it'),
      );
      await expectEventually(
        () => {
          const readies = records(launcher).filter(
            (record) =>
              record.region === 'us-east' &&
              record.service === 'blob' &&
              record.msg === 'service ready',
          );
          expect(readies).toHaveLength(2);
        },
        { timeoutMs: 30_000 },
      );
    });

    it('keeps its data: a table written now is there after a restart', async () => {
      const url = records(launcher).find(
        (record) => record.region === 'us-east' && record.msg === 'starting',
      )!.env!['DATABASE_URL']!;
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        await sql`create table if not exists kept (value text)`;
        await sql`insert into kept values ('from the first run')`;
      } finally {
        await sql.end();
      }
    });

    it('stops services before brokers on Ctrl-C, and exits 0', async () => {
      launcher.signal('SIGINT');
      await expect(launcher.exited).resolves.toEqual({ code: 0, signal: null });
      const stops = records(launcher).filter(
        (record) => record.msg === 'stopping' && record.service !== 'dev',
      );
      expect(stops).toHaveLength(14);
      expect(stops.every((record) => record.natsUp)).toBe(true);
      expect(records(launcher).at(-1)?.msg).toBe('stopped');
    });
  });

  it('starts again with the data of the previous run', async () => {
    const launcher = launch({ MERIDIAN_REGIONS: 'us-east' });
    await launcher.waitForLine((line) => isReady(line.text), {
      timeoutMs: 90_000,
      description: 'meridian ready',
    });
    const url = records(launcher).find((record) => record.msg === 'starting' && record.env)!.env![
      'DATABASE_URL'
    ]!;
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      await expect(sql`select value from kept`).resolves.toEqual([{ value: 'from the first run' }]);
    } finally {
      await sql.end();
    }
    await launcher.stop();
    expect(launcher.exitStatus).toEqual({ code: 0, signal: null });
  });

  it('stops everything and exits 1, with its last lines, when a service cannot start', async () => {
    const launcher = launch({ STUB_FAIL: 'manifest', MERIDIAN_REGIONS: 'us-east' });
    await expect(launcher.exited).resolves.toEqual({ code: 1, signal: null });
    const failure = records(launcher).find(
      (record) => record.level === 'error' && record.msg === 'meridian could not start',
    );
    expect(failure).toMatchObject({
      detail: expect.stringMatching(
        /us-east\/manifest exited with code 1 before "service ready"[\s\S]*invalid configuration/,
      ),
    });
    const attempts = records(launcher).filter(
      (record) => record.service === 'manifest' && record.msg === 'invalid configuration',
    );
    expect(attempts).toHaveLength(3);
    expect(
      records(launcher).find((record) => record.service === 'blob' && record.msg === 'stopping'),
    ).toBeDefined();
  });

  it('refuses a bad configuration naming the key, not the value', async () => {
    const launcher = launch({ MERIDIAN_PORT: 'eighty', MERIDIAN_LOG_LEVEL: 'loud' });
    await expect(launcher.exited).resolves.toEqual({ code: 1, signal: null });
    const output = launcher
      .recentLines()
      .map((line) => line.text)
      .join('\n');
    expect(output).toContain('invalid configuration');
    expect(output).toContain('MERIDIAN_PORT: expected a port number');
    expect(output).toContain('MERIDIAN_LOG_LEVEL: expected one of');
    expect(output).not.toMatch(/eighty|loud/);
  });
});
