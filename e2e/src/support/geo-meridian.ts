/**
 * The embedded default as `npm start` runs it: two regions, us-east and eu-west (or the
 * regions asked for, with MERIDIAN_REPLICATIONS if asked), on consecutive free ports, each
 * with its own nats-server (joined by leaf node links), database and store, in a temporary
 * data directory. The admin account's password is set, so the same tests run whether
 * authentication is on or not.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagedProcess, freePortRun, spawnProcess } from '@meridian/testing';
import { launcherArgs } from './compiled-meridian';
import { LoggedInRegistryClient } from './logged-in-registry-client';
import { RegistryLog, repoRoot } from './registry-log';

const readyTimeoutMs = 240_000;
const stopGraceMs = 60_000;

export const geoRegions = ['us-east', 'eu-west'] as const;
export type GeoRegionId = (typeof geoRegions)[number];

export interface GeoRegion<R extends string = GeoRegionId> {
  readonly region: R;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly client: LoggedInRegistryClient;
  /**
   * the region's filesystem store (`<data dir>/<region>/store`: apps/dev region-layout.ts),
   * e.g. for `meridian replication create <region> --storage-path <dir>`
   */
  readonly storeDir: string;
  /** the JetStream domain of the region's nats-server: the region id (apps/dev nats.launcher.ts) */
  readonly natsDomain: string;
}

export interface GeoMeridianOptions<R extends string> {
  /** MERIDIAN_REGIONS, in order (ports count up from the first); us-east and eu-west by default */
  regions?: readonly R[];
  /** MERIDIAN_REPLICATIONS: the regions that replicate with each other; all by default */
  replications?: readonly R[];
}

export interface GeoMeridian<R extends string = GeoRegionId> {
  readonly regions: Readonly<Record<R, GeoRegion<R>>>;
  readonly dataDir: string;
  /** `admin:<password>`, for skopeo's --creds */
  readonly creds: string;
  /** GET on the management API of a region, as the admin; the parsed JSON and status */
  api<T>(region: R, path: string): Promise<{ status: number; body: T }>;
  /** the pid of a region's nats-server, from its pid file */
  natsPid(region: R): Promise<number>;
  describeOutput(lines?: number): string;
  dispose(): Promise<void>;
}

/**
 * `env`: more of the launcher's environment (the services inherit it), from the regions'
 * `host:port`s, known only once their ports are chosen.
 */
export async function startGeoMeridian<R extends string = GeoRegionId>(
  label: string,
  env: (hosts: Record<R, string>) => NodeJS.ProcessEnv = () => ({}),
  options: GeoMeridianOptions<R> = {},
): Promise<GeoMeridian<R>> {
  const regionIds = options.regions ?? (geoRegions as readonly string[] as readonly R[]);
  const root = await mkdtemp(join(tmpdir(), 'meridian-e2e-geo-'));
  await chmod(root, 0o755);
  const dataDir = join(root, 'data');
  const port = await freePortRun(regionIds.length);
  const password = randomBytes(18).toString('base64url');
  const credentials = { username: 'admin', password };
  const log = new RegistryLog(`meridian-${label}`);
  const launcherEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env(byRegion(regionIds, (_region, index) => `127.0.0.1:${port + index}`)),
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_PORT: String(port),
    MERIDIAN_HOST: '127.0.0.1',
    MERIDIAN_REGIONS: regionIds.join(','),
    ...(options.replications ? { MERIDIAN_REPLICATIONS: options.replications.join(',') } : {}),
    MERIDIAN_ADMIN_PASSWORD: password,
  };
  const launcherKeys = ['DATABASE_URL', 'MERIDIAN_POSTGRES_PORT', 'MERIDIAN_NATS_PORT'];
  if (!options.replications) launcherKeys.push('MERIDIAN_REPLICATIONS');
  for (const key of launcherKeys) delete launcherEnv[key];

  const launcher: ManagedProcess = spawnProcess({
    name: `meridian ${label}`,
    command: process.execPath,
    args: [...launcherArgs],
    cwd: repoRoot,
    env: launcherEnv,
    onLine: (line) => log.write(line),
    retainLines: 200,
    stopSignal: 'SIGTERM',
    stopGraceMs,
  });
  try {
    await launcher.waitForLine((line) => line.text.includes('meridian ready'), {
      timeoutMs: readyTimeoutMs,
      description: 'meridian ready',
    });
  } catch (error) {
    await launcher.stop({ signal: 'SIGKILL' });
    throw new Error(`${(error as Error).message}\n${log.describe()}`);
  }

  const regions = byRegion(regionIds, (region, index): GeoRegion<R> => {
    const url = `http://127.0.0.1:${port + index}`;
    return {
      region,
      url,
      host: `127.0.0.1:${port + index}`,
      client: new LoggedInRegistryClient(url, credentials),
      storeDir: join(dataDir, region, 'store'),
      natsDomain: region,
    };
  });
  return {
    regions,
    dataDir,
    creds: `admin:${password}`,
    async api<T>(region: R, path: string) {
      const client = regions[region].client;
      const response = await fetch(client.url(path), {
        headers: { authorization: client.basicAuthorization },
        signal: AbortSignal.timeout(30_000),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async natsPid(region) {
      return Number(
        (await readFile(join(dataDir, region, 'nats', 'nats-server.pid'), 'utf8')).trim(),
      );
    },
    describeOutput: (lines) => log.describe(lines),
    async dispose() {
      if (launcher.running) await launcher.stop();
      await log.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

function byRegion<R extends string, T>(
  regions: readonly R[],
  valueOf: (region: R, index: number) => T,
): Record<R, T> {
  return Object.fromEntries(
    regions.map((region, index) => [region, valueOf(region, index)]),
  ) as Record<R, T>;
}
