import { availableParallelism } from 'node:os';
import { loadConfig } from './config';
import { planRegions } from './region-layout';
import { replicationPeers } from './replication-peers';
import { regionServices, serviceCommand, serviceEnv } from './services.launcher';

describe(serviceEnv.name, () => {
  const config = loadConfig({ MERIDIAN_LOG_LEVEL: 'debug', MERIDIAN_HOST: '0.0.0.0' }, '/srv');
  const [layout] = planRegions(config);
  const [, peer] = planRegions(loadConfig({ MERIDIAN_REGIONS: 'us-east,eu-west' }, '/srv'));
  const infra = {
    natsUrl: 'nats://127.0.0.1:4222',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/meridian_us_east',
    peers: [peer!],
  };
  const envOf = (name: string) =>
    serviceEnv(
      regionServices.find((spec) => spec.name === name)!,
      layout!,
      infra,
      config,
      {
        PATH: '/usr/bin',
        DATABASE_URL: 'postgres://admin:pw@server/postgres',
        MERIDIAN_WEBHOOK_ALLOW_PRIVATE: 'true',
      },
    );

  it('runs blob, manifest, auth, replication, webhook, scan and the gateway', () => {
    expect(regionServices.map((spec) => spec.name)).toEqual([
      'blob',
      'manifest',
      'auth',
      'replication',
      'webhook',
      'scan',
      'gateway',
    ]);
  });

  it("starts replication after the others: it sources the peers' event streams they create", () => {
    expect(regionServices.filter((spec) => spec.afterPeers).map((spec) => spec.name)).toEqual([
      'replication',
    ]);
  });

  it('tells replication and the gateway where every peer region keeps its blobs', () => {
    const peers = {
      MERIDIAN_PEERS: 'eu-west',
      MERIDIAN_PEER_EU_WEST_STORAGE_DRIVER: 'filesystem',
      MERIDIAN_PEER_EU_WEST_STORAGE_DIR: '/srv/.meridian/eu-west/store',
    };
    expect(envOf('replication')).toMatchObject({
      ...peers,
      DATABASE_URL: infra.databaseUrl,
      MERIDIAN_STORAGE_DIR: '/srv/.meridian/us-east/store',
    });
    expect(envOf('gateway')).toMatchObject(peers);
    expect(envOf('blob')['MERIDIAN_PEERS']).toBeUndefined();
  });

  it('tells auth which other regions there are, to share the failed-login limits out', () => {
    expect(envOf('auth')['MERIDIAN_PEERS']).toBe('eu-west');
    expect(envOf('auth')['MERIDIAN_PEER_EU_WEST_STORAGE_DIR']).toBeUndefined();
  });

  it('gives a stand-alone region (outside MERIDIAN_REPLICATIONS) no peers in any service', () => {
    const threeRegions = loadConfig(
      { MERIDIAN_REGIONS: 'us-east,eu-west,ap-south', MERIDIAN_REPLICATIONS: 'us-east,eu-west' },
      '/srv',
    );
    const layouts = planRegions(threeRegions);
    const peers = replicationPeers(layouts, threeRegions.replications);
    const envIn = (index: number, name: string) =>
      serviceEnv(
        regionServices.find((spec) => spec.name === name)!,
        layouts[index]!,
        { ...infra, peers: peers[index]! },
        threeRegions,
        {},
      );
    expect(envIn(0, 'replication')).toMatchObject({
      MERIDIAN_PEERS: 'eu-west',
      MERIDIAN_PEER_EU_WEST_STORAGE_DIR: '/srv/.meridian/eu-west/store',
    });
    expect(envIn(0, 'replication')['MERIDIAN_PEER_AP_SOUTH_STORAGE_DIR']).toBeUndefined();
    expect(envIn(1, 'gateway')['MERIDIAN_PEERS']).toBe('us-east');
    for (const name of ['replication', 'gateway', 'auth']) {
      const env = envIn(2, name);
      expect(env['MERIDIAN_PEERS']).toBe('');
      expect(Object.keys(env).filter((key) => key.startsWith('MERIDIAN_PEER_'))).toEqual([]);
      expect(env['MERIDIAN_STORAGE_DIR'] ?? '/srv/.meridian/ap-south/store').toBe(
        '/srv/.meridian/ap-south/store',
      );
    }
  });

  it('gives the blob service its region, broker, database and store', () => {
    expect(envOf('blob')).toEqual({
      PATH: '/usr/bin',
      MERIDIAN_WEBHOOK_ALLOW_PRIVATE: 'true',
      MERIDIAN_REGION: 'us-east',
      MERIDIAN_NATS_URL: 'nats://127.0.0.1:4222',
      MERIDIAN_LOG_LEVEL: 'debug',
      MERIDIAN_STORAGE_DRIVER: 'filesystem',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/meridian_us_east',
      MERIDIAN_STORAGE_DIR: '/srv/.meridian/us-east/store',
    });
  });

  it('keeps services at info or more verbose, so their ready line is written', () => {
    const quiet = loadConfig({ MERIDIAN_LOG_LEVEL: 'error' }, '/srv');
    const blob = regionServices[0]!;
    expect(serviceEnv(blob, layout!, infra, quiet, {})['MERIDIAN_LOG_LEVEL']).toBe('info');
  });

  it('gives the manifest service its database but no store', () => {
    const env = envOf('manifest');
    expect(env['DATABASE_URL']).toBe(infra.databaseUrl);
    expect(env['MERIDIAN_STORAGE_DIR']).toBeUndefined();
  });

  it('gives the gateway its address and store, and not the server URL the launcher was given', () => {
    const env = envOf('gateway');
    expect(env).toMatchObject({
      MERIDIAN_HOST: '0.0.0.0',
      MERIDIAN_PORT: '5000',
      MERIDIAN_STORAGE_DIR: '/srv/.meridian/us-east/store',
    });
    expect(env['DATABASE_URL']).toBeUndefined();
  });

  it('gives the gateway half the CPUs in workers, unless told a number', () => {
    const gateway = regionServices.find((spec) => spec.name === 'gateway')!;
    expect(serviceEnv(gateway, layout!, infra, config, {})['MERIDIAN_GATEWAY_WORKERS']).toBe(
      String(Math.max(1, Math.floor(availableParallelism() / 2))),
    );
    const told = serviceEnv(gateway, layout!, infra, config, { MERIDIAN_GATEWAY_WORKERS: '3' });
    expect(told['MERIDIAN_GATEWAY_WORKERS']).toBe('3');
    expect(envOf('blob')['MERIDIAN_GATEWAY_WORKERS']).toBeUndefined();
  });

  it("gives each service its own NATS key, never the launcher's NATS credentials", () => {
    const blob = regionServices.find((spec) => spec.name === 'blob')!;
    const env = serviceEnv(
      blob,
      layout!,
      { ...infra, natsSeedOf: (service) => `seed-of-${service}` },
      config,
      { MERIDIAN_NATS_USER: 'someone', MERIDIAN_NATS_PASSWORD: 'pw' },
    );
    expect(env['MERIDIAN_NATS_NKEY_SEED']).toBe('seed-of-blob');
    expect(env['MERIDIAN_NATS_USER']).toBeUndefined();
    expect(env['MERIDIAN_NATS_PASSWORD']).toBeUndefined();
  });
});

describe(serviceCommand.name, () => {
  const spec = (name: string) => regionServices.find((service) => service.name === name)!;

  it('runs replication and scanning niced, every thread of them, behind the client-facing services', () => {
    for (const name of ['replication', 'scan'])
      expect(serviceCommand(spec(name), ['main.js'])).toEqual({
        command: 'nice',
        args: ['-n', '10', process.execPath, 'main.js'],
      });
  });

  it('runs the gateway and the services a push waits for at normal priority, with their node flags', () => {
    expect(serviceCommand(spec('gateway'), ['main.js'])).toEqual({
      command: process.execPath,
      args: ['--max-semi-space-size=64', 'main.js'],
    });
    for (const name of ['blob', 'manifest', 'auth', 'webhook'])
      expect(serviceCommand(spec(name), ['main.js']).command).toBe(process.execPath);
  });
});
