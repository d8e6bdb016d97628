/**
 * The `meridian` command against the embedded default (`npm start`: us-east and eu-west),
 * run as an operator runs it, the package's bin compiled: `login` leaves a refresh token
 * where skopeo finds it and skopeo pushes with nothing else; every command group answers
 * `--output json` that parses to what the registry holds; `--query` filters; errors are one
 * line with the registry's code and the documented exit status; on a terminal the tables
 * and the progress bars of `replication status --wait` are drawn.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  freePort,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, startGeoMeridian } from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';

interface TagView {
  name: string;
  digest: string;
  lastUpdateTime: string;
  changeableAttributes: Record<string, boolean>;
}

interface ReplicationStatus {
  repository: string;
  digest: string;
  regions: Array<{ region: string; state: string }>;
}

const oneErrorLine = /^error: [A-Z_]+: [^\n]+\n$/;

/** what a terminal shows, without its colour and cursor sequences */
function withoutColour(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

describe('the meridian command', () => {
  let work: string;
  let cli: MeridianCli;

  beforeAll(async () => {
    buildCli();
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-cli-'));
    cli = new MeridianCli(join(work, 'home'));
    await cli.prepare();
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('before any registry', () => {
    it('answers --help within 300 ms, with an example for each command', async () => {
      // node itself takes ~90 ms to start here; on a machine busy with other tests the
      // bound is what the CLI adds to a bare node, measured at the same moment
      const fastest = (args: readonly string[]) => {
        let best = Number.POSITIVE_INFINITY;
        for (let i = 0; i < 5; i++) {
          const started = performance.now();
          spawnSync(process.execPath, args, { stdio: 'ignore' });
          best = Math.min(best, performance.now() - started);
        }
        return best;
      };
      const help = await cli.run(['--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^Usage: meridian/);
      const bare = fastest(['-e', '']);
      const meridianHelp = fastest([cli.bin, '--help']);
      expect(meridianHelp).toBeLessThan(Math.max(300, bare + 150));
      for (const command of [
        ['login'],
        ['repository', 'show-tags'],
        ['repository', 'update'],
        ['replication', 'status'],
        ['show-usage'],
      ]) {
        const help = await cli.run([...command, '--help']);
        expect(help.status).toBe(0);
        expect(help.stdout).toMatch(/Example/);
        expect(help.stdout).toMatch(/\$ meridian /);
      }
    });

    it('refuses bad usage in one line with exit 2', async () => {
      for (const args of [
        ['repository', 'show-tags'],
        ['repository', 'list', '--output', 'xml'],
        ['repository', 'show', '-t', 'Team/App:v1', '--registry', '127.0.0.1:1'],
        ['replication', 'status', 'app:v1', '--timeout', 'soon', '--registry', '127.0.0.1:1'],
        ['repository', 'list'],
        ['no-such-command'],
      ]) {
        const result = await cli.run(args);
        expect({ args, status: result.status }).toEqual({ args, status: 2 });
        expect(result.stderr).toMatch(oneErrorLine);
        expect(result.stderr).toMatch(/^error: USAGE: /);
      }
    });

    it('reports a registry that does not answer in one line with exit 3', async () => {
      const port = await freePort();
      const result = await cli.run(['repository', 'list', '--registry', `127.0.0.1:${port}`]);
      expect(result.status).toBe(3);
      expect(result.stderr).toBe(
        `error: UNREACHABLE: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`,
      );
    });
  });

  describe('against two regions', () => {
    let meridian: GeoMeridian;
    let registry: string;
    let password: string;
    let image: OciLayoutImage;

    let receiver: Server;
    const received: Array<{ path: string; action: string }> = [];

    beforeAll(async () => {
      // the webhooks of these tests call a receiver on this machine
      const allowedBefore = process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'];
      process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'] = '127.0.0.1';
      try {
        meridian = await startGeoMeridian('cli');
      } finally {
        if (allowedBefore === undefined) delete process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'];
        else process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'] = allowedBefore;
      }
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { action?: string };
          received.push({ path: request.url ?? '', action: body.action ?? '' });
          response.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      registry = meridian.regions['us-east'].host;
      password = meridian.creds.slice('admin:'.length);
      image = await buildImage('app', 'v1');
    }, 360_000);

    afterAll(async () => {
      await meridian?.dispose();
      if (receiver) await new Promise((resolve) => receiver.close(resolve));
    });

    let built = 0;
    function buildImage(name: string, tag: string): Promise<OciLayoutImage> {
      built += 1;
      return buildOciImage(join(work, `${name}-${built}`), {
        tag,
        layers: [{ files: { [`data-${built}`]: `cli ${name} ${built}\n`.repeat(2048) } }],
      });
    }

    /** skopeo with only the credentials the test's home holds (no --creds, no auth file named) */
    function skopeo(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
      return runCommand('skopeo', ['--insecure-policy', ...args], {
        env: cli.env(env),
        timeoutMs: 120_000,
      });
    }

    it('refuses a wrong password in one line, writing nothing', async () => {
      const result = await cli.run(['login', registry, '-u', 'admin', '--password-stdin'], {
        stdin: 'not-the-password\n',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(oneErrorLine);
      expect(result.stderr).toMatch(/^error: UNAUTHORIZED: /);
      await expect(stat(cli.dockerConfig)).rejects.toThrow(/ENOENT/);
      await expect(stat(cli.containersAuth)).rejects.toThrow(/ENOENT/);
    });

    it('logs in: a refresh token in both credential files, other entries kept', async () => {
      await mkdir(join(cli.home, '.docker'), { recursive: true });
      const other = { auth: Buffer.from('someone:else').toString('base64') };
      await writeFile(cli.dockerConfig, JSON.stringify({ auths: { 'other.example:5000': other } }));

      const result = await cli.run(['login', registry, '-u', 'admin', '--password-stdin'], {
        stdin: `${password}\n`,
      });
      expect(result.stderr).toContain(`Login Succeeded: ${registry}`);
      expect(result.status).toBe(0);

      for (const path of [cli.dockerConfig, cli.containersAuth]) {
        const file = JSON.parse(await readFile(path, 'utf8')) as {
          auths: Record<string, { auth: string; identitytoken?: string }>;
        };
        expect(file.auths[registry]?.identitytoken).toEqual(expect.any(String));
        expect(Buffer.from(file.auths[registry]!.auth, 'base64').toString()).toBe(
          '00000000-0000-0000-0000-000000000000:',
        );
        expect(JSON.stringify(file)).not.toContain(password);
        expect((await stat(path)).mode & 0o777).toBe(0o600);
      }
      const docker = JSON.parse(await readFile(cli.dockerConfig, 'utf8')) as {
        auths: Record<string, unknown>;
      };
      expect(docker.auths['other.example:5000']).toEqual(other);
    });

    it('skopeo pushes with what login wrote: the containers auth.json, and docker config.json alone', async () => {
      await skopeo([
        'copy',
        '--dest-tls-verify=false',
        image.reference,
        `docker://${registry}/team/app:v1`,
      ]);
      // with an empty runtime folder the containers tools fall back to docker's file
      const elsewhere = join(work, 'empty-run');
      await mkdir(elsewhere, { recursive: true });
      await skopeo(
        ['copy', '--dest-tls-verify=false', image.reference, `docker://${registry}/team/app:also`],
        { XDG_RUNTIME_DIR: elsewhere },
      );
      const tags = await cli.json<string[]>([
        'repository',
        'show-tags',
        '-n',
        'team/app',
        '--registry',
        registry,
      ]);
      expect(tags.sort()).toEqual(['also', 'v1']);
    });

    it('lists repositories, tags and manifests as JSON', async () => {
      const repositories = await cli.json<string[]>(['repository', 'list', '--registry', registry]);
      expect(repositories).toContain('team/app');

      const repository = await cli.json<{
        imageName: string;
        tagCount: number;
        manifestCount: number;
      }>(['repository', 'show', '-n', 'team/app', '--registry', registry]);
      expect(repository).toMatchObject({ imageName: 'team/app', tagCount: 2, manifestCount: 1 });

      const tags = await cli.json<TagView[]>([
        'repository',
        'show-tags',
        '-n',
        'team/app',
        '--detail',
        '--orderby',
        'time_desc',
        '--registry',
        registry,
      ]);
      expect(tags.map((tag) => tag.name)).toEqual(['also', 'v1']);
      expect(tags.every((tag) => tag.digest === image.manifestDigest)).toBe(true);
      expect(tags[0]!.changeableAttributes).toMatchObject({ writeEnabled: true });

      const top = await cli.json<string[]>([
        'repository',
        'show-tags',
        '-n',
        'team/app',
        '--top',
        '1',
        '--registry',
        registry,
      ]);
      expect(top).toEqual(['also']);

      const manifests = await cli.json<Array<{ digest: string; tags: string[] }>>([
        'repository',
        'show-manifests',
        '-n',
        'team/app',
        '--registry',
        registry,
      ]);
      expect(manifests).toEqual([
        expect.objectContaining({
          digest: image.manifestDigest,
          tags: expect.arrayContaining(['v1', 'also']),
        }),
      ]);

      const tag = await cli.json<TagView>([
        'repository',
        'show',
        '-t',
        'team/app:v1',
        '--registry',
        registry,
      ]);
      expect(tag).toMatchObject({ name: 'v1', digest: image.manifestDigest });
    });

    it('filters with --query, and prints tsv and yaml', async () => {
      const digests = await cli.json<string[]>([
        'repository',
        'show-tags',
        '-n',
        'team/app',
        '--detail',
        '--query',
        "[?name=='v1'].digest",
        '--registry',
        registry,
      ]);
      expect(digests).toEqual([image.manifestDigest]);

      const tsv = await cli.run([
        'repository',
        'show-tags',
        '-n',
        'team/app',
        '--detail',
        '--query',
        '[].[name, digest]',
        '-o',
        'tsv',
        '--registry',
        registry,
      ]);
      expect(tsv.stdout).toBe(`also\t${image.manifestDigest}\nv1\t${image.manifestDigest}\n`);

      const yaml = await cli.run(['repository', 'list', '-o', 'yaml', '--registry', registry]);
      expect(yaml.stdout).toContain('- team/app\n');
    });

    it('reports what the registry refuses with its error code, exit 1', async () => {
      const result = await cli.run([
        'repository',
        'show',
        '-n',
        'team/none',
        '--registry',
        registry,
      ]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(oneErrorLine);
      expect(result.stderr).toMatch(/^error: NAME_UNKNOWN: /);
    });

    it('shows usage of the region it asks', async () => {
      const usage = await cli.json<{
        region: string;
        bytes: number;
        repositories: Array<{ name: string; sizeBytes: number; tagCount: number }>;
      }>(['show-usage', '--registry', registry]);
      expect(usage.region).toBe('us-east');
      expect(usage.bytes).toBeGreaterThan(0);
      expect(usage.repositories).toContainEqual(
        expect.objectContaining({ name: 'team/app', tagCount: 2, sizeBytes: expect.any(Number) }),
      );
    });

    it('waits until an image is ready in every region, a line per change when piped', async () => {
      const result = await cli.run([
        'replication',
        'status',
        'team/app:v1',
        '--wait',
        '--timeout',
        '2m',
        '-o',
        'json',
        '--registry',
        registry,
      ]);
      expect(result.stderr).toMatch(/^eu-west: ready/m);
      expect(result.status).toBe(0);
      const status = JSON.parse(result.stdout) as ReplicationStatus;
      expect(status.digest).toBe(image.manifestDigest);
      expect(status.regions.map((region) => [region.region, region.state]).sort()).toEqual([
        ['eu-west', 'ready'],
        ['us-east', 'ready'],
      ]);

      const eu = await cli.json<ReplicationStatus>([
        'replication',
        'status',
        'team/app:v1',
        '--regions',
        'eu-west',
        '--registry',
        registry,
      ]);
      expect(eu.regions.map((region) => region.region)).toEqual(['eu-west']);

      const unknown = await cli.run([
        'replication',
        'status',
        'team/app:v1',
        '--regions',
        'mars',
        '--registry',
        registry,
      ]);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toMatch(/^error: USAGE: unknown region mars; the registry has /);
    });

    it('refuses at once to wait for an image no region knows', async () => {
      const result = await cli.run([
        'replication',
        'status',
        'team/never:v1',
        '--wait',
        '--timeout',
        '2s',
        '--registry',
        registry,
      ]);
      // an image no region knows is refused at once, not waited for
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^error: (MANIFEST|NAME)_UNKNOWN: /);
    });

    it('lists the peer links', async () => {
      const regions = await cli.json<{
        region: string;
        peers: Array<{ region: string; connected: boolean }>;
      }>(['replication', 'list', '--registry', registry]);
      expect(regions.region).toBe('us-east');
      expect(regions.peers).toEqual([
        expect.objectContaining({ region: 'eu-west', connected: true }),
      ]);
    });

    it('manages webhooks: create, list, show, update, ping, list-events, redeliver, delete', async () => {
      const uri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const created = await cli.json<{ name: string; actions: string[]; secret: string }>([
        'webhook',
        'create',
        '-n',
        'deploy',
        '--uri',
        uri,
        '--actions',
        'push,delete',
        '--scope',
        'team/app:*',
        '--registry',
        registry,
      ]);
      expect(created).toMatchObject({ name: 'deploy', actions: ['push', 'delete'] });
      expect(created.secret).toEqual(expect.any(String));

      const names = await cli.json<string[]>([
        'webhook',
        'list',
        '--query',
        '[].name',
        '--registry',
        registry,
      ]);
      expect(names).toEqual(['deploy']);
      const updated = await cli.json<{ status: string }>([
        'webhook',
        'update',
        '-n',
        'deploy',
        '--status',
        'disabled',
        '--registry',
        registry,
      ]);
      expect(updated.status).toBe('disabled');
      expect(
        await cli.json<{ scope: string }>([
          'webhook',
          'show',
          '-n',
          'deploy',
          '--registry',
          registry,
        ]),
      ).toMatchObject({ scope: 'team/app:*', status: 'disabled' });

      // a ping is sent whatever the webhook's status
      const ping = await cli.json<{ id: string; eventId: string }>([
        'webhook',
        'ping',
        '-n',
        'deploy',
        '--registry',
        registry,
      ]);
      const delivered = await expectEventually(
        async () => {
          const log = await cli.json<Array<{ id: string; action: string; state: string }>>([
            'webhook',
            'list-events',
            '-n',
            'deploy',
            '--registry',
            registry,
          ]);
          expect(log).toContainEqual(
            expect.objectContaining({ id: ping.id, action: 'ping', state: 'succeeded' }),
          );
          return log;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(delivered.length).toBeGreaterThan(0);
      expect(received).toContainEqual({ path: '/hook', action: 'ping' });

      const again = await cli.json<{ id: string; eventId: string }>([
        'webhook',
        'redeliver',
        '-n',
        'deploy',
        '--id',
        ping.id,
        '--registry',
        registry,
      ]);
      expect(again.eventId).toBe(ping.eventId);
      expect(again.id).not.toBe(ping.id);

      const deleted = await cli.run(['webhook', 'delete', '-n', 'deploy', '--registry', registry]);
      expect(deleted.status).toBe(0);
      const gone = await cli.run(['webhook', 'show', '-n', 'deploy', '--registry', registry]);
      expect(gone.status).toBe(1);
      expect(gone.stderr).toMatch(oneErrorLine);
    });

    it('creates a scope map and a token whose password logs in to read only what the map allows', async () => {
      const map = await cli.json<{ name: string; rules: unknown[] }>([
        'scope-map',
        'create',
        '-n',
        'team-read',
        '--repository',
        'team/*=content/read,metadata/read',
        '--registry',
        registry,
      ]);
      expect(map.rules).toEqual([
        { repository: 'team/*', actions: ['content/read', 'metadata/read'] },
      ]);
      await cli.json([
        'token',
        'create',
        '-n',
        'ci-read',
        '--scope-map',
        'team-read',
        '--registry',
        registry,
      ]);
      const generated = await cli.json<{ name: string; password: { value: string } }>([
        'token',
        'credential',
        'generate',
        '-n',
        'ci-read',
        '--password2',
        '--registry',
        registry,
      ]);
      expect(
        await cli.json<string[]>(['token', 'list', '--query', '[].name', '--registry', registry]),
      ).toEqual(['ci-read']);

      // the token, logged in from a home of its own
      const ci = new MeridianCli(join(work, 'ci-home'));
      await ci.prepare();
      const login = await ci.run(['login', registry, '-u', 'ci-read', '--password-stdin'], {
        stdin: generated.password.value,
      });
      expect(login.stderr).toContain('Login Succeeded');
      expect(
        await ci.json<string[]>([
          'repository',
          'show-tags',
          '-n',
          'team/app',
          '--registry',
          registry,
        ]),
      ).toContain('v1');
      const refused = await ci.run(['token', 'list', '--registry', registry]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^error: DENIED: /);

      const inUse = await cli.run([
        'scope-map',
        'delete',
        '-n',
        'team-read',
        '--registry',
        registry,
      ]);
      expect(inUse.status).toBe(1);
      expect(inUse.stderr).toMatch(/^error: DENIED: /);
      expect(
        (await cli.run(['token', 'delete', '-n', 'ci-read', '--registry', registry])).status,
      ).toBe(0);
      expect(
        (await cli.run(['scope-map', 'delete', '-n', 'team-read', '--registry', registry])).status,
      ).toBe(0);
    });

    it('draws tables and progress bars on a terminal', async () => {
      const tags = await cli.inTerminal([
        'repository',
        'show-tags',
        '-n',
        'team/app',
        '--detail',
        '--registry',
        registry,
      ]);
      expect(tags.status).toBe(0);
      expect(tags.stdout).toContain('\u001b[1mName'); // bold headers on a terminal
      const table = withoutColour(tags.stdout);
      expect(table).toMatch(/│ Name\s+│ Digest\s+│ LastUpdateTime\s+│ Write/);
      expect(table).toMatch(/│ v1\s+│ sha256:/);

      const plain = await cli.inTerminal(['repository', 'list', '--registry', registry], {
        NO_COLOR: '1',
      });
      expect(plain.stdout).toMatch(/│ team\/app\s+│/);
      expect(plain.stdout).not.toContain('\u001b[1m');

      // a fresh image: the wait starts before eu-west has it
      const next = await buildImage('app', 'v2');
      await skopeo([
        'copy',
        '--dest-tls-verify=false',
        next.reference,
        `docker://${registry}/team/app:v2`,
      ]);
      const wait = await cli.inTerminal([
        'replication',
        'status',
        'team/app:v2',
        '--wait',
        '--timeout',
        '2m',
        '--registry',
        registry,
      ]);
      expect(wait.status).toBe(0);
      const screen = withoutColour(wait.stdout);
      expect(screen).toMatch(/eu-west █{24} ready/);
      expect(screen).toMatch(/us-east █{24} ready/);
      expect(screen).toMatch(/│ Region\s+│ State\s+│/);
    });

    it('takes its registry from `configure --defaults`, then MERIDIAN_REGISTRY, then --registry', async () => {
      const configured = await cli.json<{ defaults: { registry: string } }>([
        'configure',
        '--defaults',
        `registry=${registry}`,
      ]);
      expect(configured.defaults.registry).toBe(registry);
      expect(await cli.json<string[]>(['repository', 'list'])).toContain('team/app');
      const eu = meridian.regions['eu-west'].host;
      // eu-west is not logged in: the variable wins over the configured default
      const viaEnv = await cli.run(['repository', 'list'], { env: { MERIDIAN_REGISTRY: eu } });
      expect(viaEnv.stderr).toMatch(/^error: UNAUTHORIZED: not logged in to 127\.0\.0\.1:\d+/);
      expect(viaEnv.status).toBe(1);
    });

    it('administers: the admin account, service principals, settings, quarantine, scans', async () => {
      const admin = await cli.json<{ username: string; enabled: boolean }>([
        'credential',
        'show',
        '--registry',
        registry,
      ]);
      expect(admin).toMatchObject({ username: 'admin', enabled: true });

      const sp = await cli.json<{ id: string; roles: string[]; secret: string }>([
        'sp',
        'create',
        '--id',
        'ci-pull',
        '--roles',
        'AcrPull',
        '--registry',
        registry,
      ]);
      expect(sp).toMatchObject({ id: 'ci-pull', roles: ['AcrPull'] });
      await cli.run([
        'sp',
        'role',
        'add',
        '--id',
        'ci-pull',
        '--role',
        'Reader',
        '--registry',
        registry,
      ]);
      expect(
        await cli.json<{ roles: string[] }>([
          'sp',
          'show',
          '--id',
          'ci-pull',
          '--registry',
          registry,
        ]),
      ).toMatchObject({
        roles: expect.arrayContaining(['AcrPull', 'Reader']),
      });
      const reset = await cli.json<{ secret: string }>([
        'sp',
        'reset-secret',
        '--id',
        'ci-pull',
        '--registry',
        registry,
      ]);
      expect(reset.secret).not.toBe(sp.secret);
      const sps = await cli.json<string[]>([
        'sp',
        'list',
        '--query',
        '[].id',
        '--registry',
        registry,
      ]);
      expect(sps).toContain('ci-pull');
      expect(
        (await cli.run(['sp', 'delete', '--id', 'ci-pull', '--registry', registry])).status,
      ).toBe(0);

      expect(await cli.json(['settings', 'show', '--registry', registry])).toEqual({
        anonymousPull: false,
      });
      expect(
        await cli.json(['settings', 'update', '--anonymous-pull', 'true', '--registry', registry]),
      ).toEqual({ anonymousPull: true });
      await cli.json(['settings', 'update', '--anonymous-pull', 'false', '--registry', registry]);
      expect(await cli.json(['quarantine', 'show', '--registry', registry])).toEqual({
        enabled: false,
      });
      expect(
        await cli.json(['quarantine', 'set', '--enabled', 'true', '--registry', registry]),
      ).toEqual({ enabled: true });
      expect(
        await cli.json(['quarantine', 'set', '--enabled', 'false', '--registry', registry]),
      ).toEqual({ enabled: false });

      // the second password: renewing it leaves the first, which this file's login used
      const renewed = await cli.json<{ username: string; password: { value: string } }>([
        'credential',
        'renew',
        '--password-name',
        'password2',
        '--registry',
        registry,
      ]);
      expect(renewed.username).toBe('admin');
      const second = await cli.json<{ refreshToken: string }>(
        ['login', registry, '-u', 'admin', '--expose-token'],
        { MERIDIAN_PASSWORD: renewed.password.value },
      );
      expect(second.refreshToken).toEqual(expect.any(String));

      // no advisory database here: nothing is scanned, and the CLI says so in one line
      const scan = await cli.run([
        'scan',
        'show',
        `team/app@${image.manifestDigest}`,
        '--registry',
        registry,
      ]);
      expect(scan.status).toBe(1);
      expect(scan.stderr).toMatch(oneErrorLine);
      expect(scan.stderr).toMatch(/^error: MANIFEST_UNKNOWN: /);
    });

    it('locks, untags and deletes', async () => {
      for (const tag of ['v1', 'also']) {
        await skopeo([
          'copy',
          '--dest-tls-verify=false',
          image.reference,
          `docker://${registry}/team/locks:${tag}`,
        ]);
      }
      const locked = await cli.json<{
        name: string;
        changeableAttributes: Record<string, boolean>;
      }>([
        'repository',
        'update',
        '-t',
        'team/locks:v1',
        '--write-enabled',
        'false',
        '--registry',
        registry,
      ]);
      expect(locked).toMatchObject({ name: 'v1', changeableAttributes: { writeEnabled: false } });
      const refused = await cli.run([
        'repository',
        'untag',
        '-t',
        'team/locks:v1',
        '--registry',
        registry,
      ]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(
        /^error: DENIED: tag "v1" of repository "team\/locks" is locked/,
      );
      await cli.json([
        'repository',
        'update',
        '-t',
        'team/locks:v1',
        '--write-enabled',
        'true',
        '--registry',
        registry,
      ]);

      const untagged = await cli.run([
        'repository',
        'untag',
        '-t',
        'team/locks:also',
        '--registry',
        registry,
      ]);
      expect(untagged.status).toBe(0);
      expect(
        await cli.json<string[]>([
          'repository',
          'show-tags',
          '-n',
          'team/locks',
          '--registry',
          registry,
        ]),
      ).not.toContain('also');
      const unconfirmed = await cli.run([
        'repository',
        'delete',
        '-n',
        'team/locks',
        '--registry',
        registry,
      ]);
      expect(unconfirmed.status).toBe(2);
      const deleted = await cli.run([
        'repository',
        'delete',
        '-n',
        'team/locks',
        '--yes',
        '--registry',
        registry,
      ]);
      expect(deleted.status).toBe(0);
      const gone = await cli.run([
        'repository',
        'show',
        '-n',
        'team/locks',
        '--registry',
        registry,
      ]);
      expect(gone.stderr).toMatch(/^error: NAME_UNKNOWN: /);
    });

    it('logs out: our entry gone from both files, the others kept, and later commands refused', async () => {
      const result = await cli.run(['logout', registry]);
      expect(result.status).toBe(0);
      for (const path of [cli.dockerConfig, cli.containersAuth]) {
        const file = JSON.parse(await readFile(path, 'utf8')) as { auths: Record<string, unknown> };
        expect(file.auths[registry]).toBeUndefined();
      }
      const docker = JSON.parse(await readFile(cli.dockerConfig, 'utf8')) as {
        auths: Record<string, unknown>;
      };
      expect(Object.keys(docker.auths)).toEqual(['other.example:5000']);

      const refused = await cli.run(['repository', 'list', '--registry', registry]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^error: UNAUTHORIZED: not logged in to /);
    });

    it('prints the refresh token with --expose-token, writing nothing', async () => {
      const exposed = await cli.json<{
        loginServer: string;
        username: string;
        refreshToken: string;
      }>(['login', registry, '-u', 'admin', '--expose-token'], { MERIDIAN_PASSWORD: password });
      expect(exposed.loginServer).toBe(registry);
      expect(exposed.username).toBe('00000000-0000-0000-0000-000000000000');
      // not stored: still logged out
      const docker = JSON.parse(await readFile(cli.dockerConfig, 'utf8')) as {
        auths: Record<string, unknown>;
      };
      expect(docker.auths[registry]).toBeUndefined();

      // as with ACR: the exposed token is the password of the null user
      await skopeo([
        'copy',
        '--dest-tls-verify=false',
        `--dest-creds=${exposed.username}:${exposed.refreshToken}`,
        image.reference,
        `docker://${registry}/team/exposed:v1`,
      ]);
    });
  });
});
