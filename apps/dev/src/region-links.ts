/**
 * How the regions' nats-servers are joined: the first region listens for leaf node
 * connections, every other region connects to it (nats-config.ts in libs/process says
 * why leaf nodes and JetStream domains). The listener's port is chosen once and kept in
 * `<first region's nats dir>/leafnode-port`, so every restart (of one server or of the
 * whole launcher) finds the link where it was.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type LeafnodeOptions, type LeafnodeUser, freePort } from '@meridian/process';
import type { RegionLayout } from './region-layout';

const leafHost = '127.0.0.1';

/**
 * Each region's leaf node block, in layout order; none for a single region. With
 * `leafUserOf`, the hub admits only the other regions' leaf users and each links in as its own.
 */
export function regionLinks(
  layouts: readonly RegionLayout[],
  hubLeafPort: number,
  leafUserOf?: (region: string) => LeafnodeUser,
): Array<LeafnodeOptions | undefined> {
  if (layouts.length < 2) return layouts.map(() => undefined);
  return layouts.map((layout, index) => {
    if (index === 0) {
      const listen = { host: leafHost, port: hubLeafPort };
      if (!leafUserOf) return { listen };
      return { listen, users: layouts.slice(1).map((remote) => leafUserOf(remote.region)) };
    }
    const user = leafUserOf?.(layout.region);
    const userInfo = user
      ? `${encodeURIComponent(user.user)}:${encodeURIComponent(user.password)}@`
      : '';
    return { remotes: [`nats-leaf://${userInfo}${leafHost}:${hubLeafPort}`] };
  });
}

/** The first region's leaf node port: the one of the last run while it is free, else a new one. */
export async function hubLeafnodePort(hub: RegionLayout): Promise<number> {
  const file = join(hub.natsDir, 'leafnode-port');
  const kept = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(kept) && kept > 0 && (await isFree(kept))) return kept;
  const port = await freePort(leafHost);
  await mkdir(hub.natsDir, { recursive: true });
  await writeFile(file, `${port}\n`);
  return port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: leafHost, port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}
