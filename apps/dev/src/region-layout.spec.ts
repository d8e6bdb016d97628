import { loadConfig } from './config';
import { planRegions } from './region-layout';

describe(planRegions.name, () => {
  it('gives each region its own ports, directories and database', () => {
    const config = loadConfig(
      { MERIDIAN_REGIONS: 'us-east,eu-west', MERIDIAN_NATS_PORT: '4300' },
      '/srv',
    );
    expect(planRegions(config)).toEqual([
      {
        region: 'us-east',
        gatewayPort: 5000,
        gatewayUrl: 'http://127.0.0.1:5000',
        natsPort: 4300,
        natsDir: '/srv/.meridian/us-east/nats',
        storeDir: '/srv/.meridian/us-east/store',
        databaseName: 'meridian_us_east',
      },
      {
        region: 'eu-west',
        gatewayPort: 5001,
        gatewayUrl: 'http://127.0.0.1:5001',
        natsPort: 4301,
        natsDir: '/srv/.meridian/eu-west/nats',
        storeDir: '/srv/.meridian/eu-west/store',
        databaseName: 'meridian_eu_west',
      },
    ]);
  });

  it('leaves the nats port free unless one is set', () => {
    expect(planRegions(loadConfig({}, '/'))[0]?.natsPort).toBeUndefined();
  });

  it('reaches a gateway listening on every interface through the loopback one', () => {
    expect(planRegions(loadConfig({ MERIDIAN_HOST: '0.0.0.0' }, '/'))[0]?.gatewayUrl).toBe(
      'http://127.0.0.1:5000',
    );
    expect(planRegions(loadConfig({ MERIDIAN_HOST: '::1' }, '/'))[0]?.gatewayUrl).toBe(
      'http://[::1]:5000',
    );
  });
});
