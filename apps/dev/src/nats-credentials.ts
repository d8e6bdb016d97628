/**
 * The NATS credentials of `npm start`: every service of every region has its own nkey, and
 * every region that links in to the first one has its own leaf node password; a read-only
 * observer per region lets benchmarks and tools watch the events. Generated on
 * the first start and kept in `<data dir>/nats-credentials.json` (readable by its owner
 * only), so a restart keeps them; a region added later gets its own on its first start.
 * Each region's nats-server holds only the public keys, with the permissions of
 * libs/contracts nats-permissions.ts; each service is handed its seed
 * (MERIDIAN_NATS_NKEY_SEED). The leaf node passwords are in the first region's server
 * config (written readable by its owner only) and in the linking regions' remote URLs.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type MeridianService,
  meridianServices,
  observerPermissions,
  serviceInboxPrefix,
  servicePermissions,
} from '@meridian/contracts';
import type { LeafnodeUser, NatsUser } from '@meridian/process';
import { type ConnectionOptions, nkeyAuthenticator, nkeys } from '@nats-io/transport-node';
import { z } from 'zod';

const RegionCredentials = z.object({
  /** nkey user seeds (`SU...`) by service */
  services: z.record(z.string(), z.string().regex(/^SU[A-Z2-7]{56}$/)),
  /** the read-only observer's seed (benchmarks, tools: observerPermissions) */
  observer: z
    .string()
    .regex(/^SU[A-Z2-7]{56}$/)
    .optional(),
  leaf: z.object({ user: z.string().min(1), password: z.string().min(16) }),
});
type RegionCredentials = z.infer<typeof RegionCredentials>;

const CredentialsFile = z.object({ regions: z.record(z.string(), RegionCredentials) });

export interface NatsCredentials {
  file: string;
  /** the nkey seed `service` of `region` connects with */
  seedOf(region: string, service: MeridianService): string;
  /** the seed of `region`'s read-only observer */
  observerSeedOf(region: string): string;
  /** the users of `region`'s nats-server: one per service, limited to its subjects */
  usersOf(region: string): NatsUser[];
  /** the leaf node user `region` links in with */
  leafUserOf(region: string): LeafnodeUser;
}

export const natsCredentialsFileName = 'nats-credentials.json';

/** Reads the kept credentials, adding (and keeping) those of regions and services new to them. */
export async function resolveNatsCredentials(
  dataDir: string,
  regions: readonly string[],
): Promise<NatsCredentials> {
  const file = join(dataDir, natsCredentialsFileName);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const kept = text === undefined ? { regions: {} } : CredentialsFile.parse(JSON.parse(text));
  let changed = text === undefined;
  for (const region of regions) {
    const current: RegionCredentials = kept.regions[region] ?? {
      services: {},
      leaf: { user: `leaf-${region}`, password: randomBytes(24).toString('base64url') },
    };
    for (const service of meridianServices) {
      if (current.services[service]) continue;
      current.services[service] = newSeed();
      changed = true;
    }
    if (!current.observer) {
      current.observer = newSeed();
      changed = true;
    }
    if (!kept.regions[region]) changed = true;
    kept.regions[region] = current;
  }
  if (changed) await writeFile(file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });

  const regionOf = (region: string): RegionCredentials => {
    const credentials = kept.regions[region];
    if (!credentials) throw new Error(`no NATS credentials for region ${region}`);
    return credentials;
  };
  const seedOf = (region: string, service: MeridianService): string => {
    const seed = regionOf(region).services[service];
    if (!seed) throw new Error(`no NATS credentials for ${region}/${service}`);
    return seed;
  };
  const observerSeedOf = (region: string): string => {
    const seed = regionOf(region).observer;
    if (!seed) throw new Error(`no NATS observer for region ${region}`);
    return seed;
  };
  return {
    file,
    seedOf,
    observerSeedOf,
    usersOf: (region) => [
      ...meridianServices.map((service) => ({
        nkey: publicKeyOf(seedOf(region, service)),
        permissions: servicePermissions(region, service),
      })),
      { nkey: publicKeyOf(observerSeedOf(region)), permissions: observerPermissions(region) },
    ],
    leafUserOf: (region) => regionOf(region).leaf,
  };
}

/**
 * How a tool connects to `region`'s nats-server of a running launcher (data directory
 * `dataDir`): as the region's read-only observer.
 */
export async function observerConnectOptions(
  dataDir: string,
  region: string,
): Promise<Pick<ConnectionOptions, 'authenticator' | 'inboxPrefix'>> {
  const text = await readFile(join(dataDir, natsCredentialsFileName), 'utf8');
  const seed = CredentialsFile.parse(JSON.parse(text)).regions[region]?.observer;
  if (!seed) throw new Error(`no NATS observer for region ${region} in ${dataDir}`);
  return {
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    inboxPrefix: serviceInboxPrefix(region, 'observer'),
  };
}

function newSeed(): string {
  return new TextDecoder().decode(nkeys.createUser().getSeed());
}

function publicKeyOf(seed: string): string {
  return nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey();
}
