/**
 * docker-compose.yml, as Debian's `docker-compose config` resolves it with .env.example:
 * both regions run every Meridian service with an environment the service itself accepts,
 * next to their own NATS (JetStream domain = region, leaf node link between the regions),
 * Postgres and MinIO; the gateways are published on 5000 and 5001; every variable the file
 * reads is documented in .env.example. No Docker engine is needed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  type Env,
  deployedServices,
  healthPortOf,
  parseRuntimeEnv,
  parseServiceEnv,
  repositoryRoot,
  requiredKeys,
} from './meridian-apps';
import { renderNatsAuthorization } from './nats-authorization';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Env;
  ports?: Array<{ published: number | string; target: number | string }>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  /** `source:target[:mode]`, as `docker-compose config` 1.29 writes them */
  volumes?: string[];
  profiles?: string[];
  read_only?: boolean;
  stop_grace_period?: string;
  tmpfs?: string[];
}

const regions = [
  { region: 'us-east', peer: 'eu-west', port: 5000 },
  { region: 'eu-west', peer: 'us-east', port: 5001 },
] as const;

const meridianImage = 'meridian:latest';

/** Resolves the compose file with only .env.example's values (the caller's env left out). */
function resolveCompose(): Record<string, ComposeService> {
  const result = spawnSync(
    'docker-compose',
    ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config'],
    {
      cwd: repositoryRoot,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
    },
  );
  if (result.error) throw new Error(`docker-compose did not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}`);
  return (parse(result.stdout) as { services: Record<string, ComposeService> }).services;
}

/** The host path mounted at `target`; '' when nothing is. */
function mountedFile(service: ComposeService | undefined, target: string): string {
  const volume = service?.volumes?.find((entry) => entry.split(':')[1] === target);
  return volume?.split(':')[0] ?? '';
}

/** `30s`, `1m30s` → milliseconds; compose waits 10 s when the service sets nothing. */
function parseDuration(duration: string | undefined): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  for (const [, amount, unit] of (duration ?? '10s').matchAll(/(\d+)(ms|h|m|s)/g))
    total += Number(amount) * (units[unit as string] ?? 0);
  return total;
}

/** `host:port` of a URL: where a service connects to. */
function addressOf(url: string | undefined): string {
  return new URL(url ?? 'invalid:').host;
}

/** The ports the dependencies listen on: nats-*.conf, and the postgres and minio images' own. */
const natsPort = 4222;
const postgresPort = 5432;
const minioPort = 9000;

describe('docker-compose.yml', () => {
  const services = resolveCompose();
  const meridianServices = deployedServices();

  it('runs every Meridian service in both regions, and nothing that is not one', () => {
    const expected = regions.flatMap(({ region }) =>
      meridianServices.map((service) => `${service}-${region}`),
    );
    const running = Object.entries(services)
      .filter(([, service]) => service.image === meridianImage)
      .map(([name]) => name);
    expect(running.sort()).toEqual(expected.sort());
    for (const name of running) expect(services[name]?.command).toEqual([name.split('-')[0]]);
  });

  describe.each(regions)('$region', ({ region, peer, port }) => {
    it('has its own NATS, Postgres and MinIO with a bucket, each with a health check', () => {
      for (const name of [`nats-${region}`, `postgres-${region}`, `minio-${region}`])
        expect(services[name]?.healthcheck?.test.length).toBeGreaterThan(0);
      expect(services[`bucket-${region}`]?.depends_on).toEqual({
        [`minio-${region}`]: { condition: 'service_healthy' },
      });
    });

    it.each(meridianServices)('gives %s every variable it requires', (service) => {
      const environment = services[`${service}-${region}`]?.environment ?? {};
      const missing = requiredKeys(service).filter((key) => !environment[key]);
      expect(missing).toEqual([]);
    });

    it.each(meridianServices)(
      'gives %s an environment it accepts, pointing at this region',
      (service) => {
        const environment = services[`${service}-${region}`]?.environment ?? {};
        const [config] = parseServiceEnv(service, environment);
        expect(config?.['region']).toBe(region);
        expect(addressOf(environment['MERIDIAN_NATS_URL'])).toBe(`nats-${region}:${natsPort}`);
        if (environment['DATABASE_URL'] !== undefined)
          expect(addressOf(environment['DATABASE_URL'])).toBe(`postgres-${region}:${postgresPort}`);
        if (environment['MERIDIAN_STORAGE_DRIVER'] !== undefined) {
          expect(environment['MERIDIAN_STORAGE_DRIVER']).toBe('s3');
          expect(addressOf(environment['MERIDIAN_S3_ENDPOINT'])).toBe(
            `minio-${region}:${minioPort}`,
          );
          expect(environment['MERIDIAN_S3_BUCKET']).toBe(`meridian-${region}`);
        }
      },
    );

    it.each(meridianServices)(
      'checks the readiness of %s where it answers, and stops it after its grace period',
      (service) => {
        const definition = services[`${service}-${region}`];
        const environment = definition?.environment ?? {};
        const port = healthPortOf(service, environment);
        expect(port).toBeDefined();
        expect(definition?.healthcheck?.test.join(' ')).toContain(
          `http://127.0.0.1:${String(port)}/readyz`,
        );
        const graceMs = parseRuntimeEnv(environment).shutdownGraceMs;
        expect(graceMs).toBeLessThan(parseDuration(definition?.stop_grace_period));
      },
    );

    it.each(meridianServices)('starts %s only once its dependencies are healthy', (service) => {
      const dependsOn = services[`${service}-${region}`]?.depends_on ?? {};
      expect(dependsOn).toMatchObject({
        [`nats-${region}`]: { condition: 'service_healthy' },
        [`postgres-${region}`]: { condition: 'service_healthy' },
        [`bucket-${region}`]: { condition: 'service_completed_successfully' },
      });
    });

    it.each(meridianServices)('runs %s with a read-only root and a /tmp of its own', (service) => {
      const definition = services[`${service}-${region}`];
      expect(definition?.read_only).toBe(true);
      expect(definition?.tmpfs).toContain('/tmp');
    });

    it('lets replication and the gateway read the peer region store', () => {
      const peerKey = `MERIDIAN_PEER_${peer.toUpperCase().replace('-', '_')}`;
      for (const service of ['replication', 'gateway']) {
        const environment = services[`${service}-${region}`]?.environment ?? {};
        expect(environment['MERIDIAN_PEERS']).toBe(peer);
        expect(addressOf(environment[`${peerKey}_S3_ENDPOINT`])).toBe(`minio-${peer}:${minioPort}`);
        expect(environment[`${peerKey}_S3_BUCKET`]).toBe(`meridian-${peer}`);
        expect(services[`${service}-${region}`]?.depends_on).toHaveProperty(`bucket-${peer}`);
      }
      const [replication] = parseServiceEnv(
        'replication',
        services[`replication-${region}`]?.environment ?? {},
      );
      expect(replication?.['peers']).toEqual([peer]);
    });

    it(`publishes the gateway on ${port}, where it listens, with a health check`, () => {
      const gateway = services[`gateway-${region}`];
      const [config] = parseServiceEnv('gateway', gateway?.environment ?? {});
      expect(
        gateway?.ports?.map(({ published, target }) => [Number(published), Number(target)]),
      ).toEqual([[port, config?.['port']]]);
      expect(config?.['host']).toBe('0.0.0.0');
      expect(gateway?.healthcheck?.test.join(' ')).toContain(`:${String(config?.['port'])}/`);
    });

    it('runs NATS with JetStream in the domain of the region, linked to the other region', () => {
      const nats = services[`nats-${region}`];
      expect(nats?.command).toEqual(['-c', '/etc/nats/nats.conf']);
      const file = mountedFile(nats, '/etc/nats/nats.conf');
      const check = spawnSync('nats-server', ['-c', file, '-t'], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'], ...nats?.environment },
      });
      expect(`${check.stdout}${check.stderr}`).toContain('is valid');
      const conf = readFileSync(file, 'utf8');
      expect(conf).toMatch(new RegExp(`domain: "${region}"`));
      expect(conf).toContain(`listen: "0.0.0.0:${natsPort}"`);
      expect(conf).toMatch(/max_payload: 8388608/);
      expect(conf).toMatch(/leafnodes \{/);
      expect(conf).toContain('ping_interval: "2s"');
      expect(conf).not.toMatch(/gateway \{/);
    });

    it('admits to NATS only the services, each with its own password and permissions', () => {
      const nats = services[`nats-${region}`];
      const conf = readFileSync(mountedFile(nats, '/etc/nats/nats.conf'), 'utf8');
      expect(conf).toContain(renderNatsAuthorization(region));
      const passwords = meridianServices.map((service) => {
        const environment = services[`${service}-${region}`]?.environment ?? {};
        expect(environment['MERIDIAN_NATS_USER']).toBe(service);
        const password = environment['MERIDIAN_NATS_PASSWORD'];
        expect(nats?.environment?.[`NATS_${service.toUpperCase()}_PASSWORD`]).toBe(password);
        return password;
      });
      expect(new Set(passwords).size).toBe(meridianServices.length);
    });

    it("keeps the region's Postgres behind its own password", () => {
      const password = services[`postgres-${region}`]?.environment?.['POSTGRES_PASSWORD'];
      expect(password).toBeTruthy();
      expect(password).not.toBe(services[`postgres-${peer}`]?.environment?.['POSTGRES_PASSWORD']);
      const database = new URL(services[`blob-${region}`]?.environment?.['DATABASE_URL'] ?? '');
      expect(decodeURIComponent(database.password)).toBe(password);
    });
  });

  it('joins the regions with one leaf node link: eu-west connects to the listener of us-east', () => {
    const listener = readFileSync(join(repositoryRoot, 'deploy/compose/nats-us-east.conf'), 'utf8');
    const remote = readFileSync(join(repositoryRoot, 'deploy/compose/nats-eu-west.conf'), 'utf8');
    expect(listener).toMatch(/leafnodes \{\s*listen: "0\.0\.0\.0:7422"/);
    expect(listener).toMatch(
      /authorization \{\s*user: "leaf-eu-west"\s*password: \$NATS_LEAF_PASSWORD/,
    );
    expect(remote).toContain('{ url: $NATS_LEAF_URL }');
    const leafUrl = new URL(services['nats-eu-west']?.environment?.['NATS_LEAF_URL'] ?? '');
    expect(leafUrl.host).toBe('nats-us-east:7422');
    expect(leafUrl.username).toBe('leaf-eu-west');
    expect(leafUrl.password).toBe(services['nats-us-east']?.environment?.['NATS_LEAF_PASSWORD']);
  });

  it('has an observability profile with an OpenTelemetry collector and Jaeger', () => {
    expect(services['otel-collector']?.profiles).toEqual(['observability']);
    expect(services['jaeger']?.profiles).toEqual(['observability']);
    const collector = mountedFile(services['otel-collector'], '/etc/otelcol/config.yaml');
    const config = parse(readFileSync(collector, 'utf8')) as {
      receivers: { otlp: unknown };
      exporters: Record<string, { endpoint?: string }>;
    };
    expect(config.receivers.otlp).toBeDefined();
    expect(config.exporters['otlp/jaeger']?.endpoint).toBe('jaeger:4317');
  });

  it('documents in .env.example every variable it reads', () => {
    const composeFile = readFileSync(join(repositoryRoot, 'docker-compose.yml'), 'utf8');
    const read = new Set([...composeFile.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]));
    const documented = new Set(
      readFileSync(join(repositoryRoot, '.env.example'), 'utf8')
        .split('\n')
        .map((line) => /^([A-Z0-9_]+)=/.exec(line)?.[1])
        .filter((key) => key !== undefined),
    );
    expect([...read].filter((key) => !documented.has(key as string))).toEqual([]);
    expect(read.size).toBeGreaterThan(10);
  });
});
