/**
 * The NATS credentials of `npm start`: every service of every region has its own nkey, and
 * every region that links in to the first one has its own leaf node password. Generated on
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
import { type MeridianService, meridianServices, servicePermissions } from '@meridian/contracts';
import type { LeafnodeUser, NatsUser } from '@meridian/process';
import { nkeys } from '@nats-io/transport-node';
import { z } from 'zod';

const RegionCredentials = z.object({
  /** nkey user seeds (`SU...`) by service */
  services: z.record(z.string(), z.string().regex(/^SU[A-Z2-7]{56}$/)),
  leaf: z.object({ user: z.string().min(1), password: z.string().min(16) }),
});
type RegionCredentials = z.infer<typeof RegionCredentials>;

const CredentialsFile = z.object({ regions: z.record(z.string(), RegionCredentials) });

export interface NatsCredentials {
  file: string;
  /** the nkey seed `service` of `region` connects with */
  seedOf(region: string, service: MeridianService): string;
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
      current.services[service] = new TextDecoder().decode(nkeys.createUser().getSeed());
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
  return {
    file,
    seedOf,
    usersOf: (region) =>
      meridianServices.map((service) => ({
        nkey: nkeys.fromSeed(new TextEncoder().encode(seedOf(region, service))).getPublicKey(),
        permissions: servicePermissions(region, service),
      })),
    leafUserOf: (region) => regionOf(region).leaf,
  };
}
