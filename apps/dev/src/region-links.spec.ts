import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config';
import { planRegions } from './region-layout';
import { hubLeafnodePort, regionLinks } from './region-links';

describe(regionLinks.name, () => {
  it('makes the first region the leaf node hub and connects every other region to it', () => {
    const layouts = planRegions(loadConfig({ MERIDIAN_REGIONS: 'us-east,eu-west,ap-south' }, '/'));
    expect(regionLinks(layouts, 7422)).toEqual([
      { listen: { host: '127.0.0.1', port: 7422 } },
      { remotes: ['nats-leaf://127.0.0.1:7422'] },
      { remotes: ['nats-leaf://127.0.0.1:7422'] },
    ]);
  });

  it("admits only the other regions' leaf users, each linking in as its own", () => {
    const layouts = planRegions(loadConfig({ MERIDIAN_REGIONS: 'us-east,eu-west' }, '/'));
    const leafUserOf = (region: string) => ({ user: `leaf-${region}`, password: `pw/${region}` });
    expect(regionLinks(layouts, 7422, leafUserOf)).toEqual([
      {
        listen: { host: '127.0.0.1', port: 7422 },
        users: [{ user: 'leaf-eu-west', password: 'pw/eu-west' }],
      },
      { remotes: ['nats-leaf://leaf-eu-west:pw%2Feu-west@127.0.0.1:7422'] },
    ]);
  });

  it('links nothing when there is one region', () => {
    expect(
      regionLinks(planRegions(loadConfig({ MERIDIAN_REGIONS: 'us-east' }, '/')), 7422),
    ).toEqual([undefined]);
  });
});

describe(hubLeafnodePort.name, () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meridian-links-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const hub = () => planRegions(loadConfig({ MERIDIAN_DATA_DIR: dataDir }, '/'))[0]!;

  it('keeps the port it chose for the next start', async () => {
    const first = await hubLeafnodePort(hub());
    expect(await readFile(join(hub().natsDir, 'leafnode-port'), 'utf8')).toBe(`${first}\n`);
    expect(await hubLeafnodePort(hub())).toBe(first);
  });

  it('chooses another port when the kept one has been taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (squatter.address() as { port: number }).port;
    try {
      await hubLeafnodePort(hub());
      await writeFile(join(hub().natsDir, 'leafnode-port'), `${taken}\n`);
      expect(await hubLeafnodePort(hub())).not.toBe(taken);
    } finally {
      squatter.close();
    }
  });
});
