import { ConfigError, loadConfig } from './config';

describe(loadConfig.name, () => {
  it('defaults to two regions from 127.0.0.1:5000 with data in .meridian', () => {
    expect(loadConfig({}, '/home/dev/meridian')).toEqual({
      dataDir: '/home/dev/meridian/.meridian',
      host: '127.0.0.1',
      port: 5000,
      regions: ['us-east', 'eu-west'],
      replications: ['us-east', 'eu-west'],
      databaseUrl: undefined,
      postgresPort: undefined,
      natsPort: undefined,
      logLevel: 'info',
      logFormat: 'pretty',
    });
  });

  it('reads every setting', () => {
    const sut = loadConfig(
      {
        MERIDIAN_DATA_DIR: '/var/lib/meridian',
        MERIDIAN_HOST: '0.0.0.0',
        MERIDIAN_PORT: '6000',
        MERIDIAN_REGIONS: 'us-east, eu-west, ap-south',
        MERIDIAN_REPLICATIONS: 'us-east, ap-south',
        DATABASE_URL: 'postgresql://meridian:pw@db:5432/postgres',
        MERIDIAN_POSTGRES_PORT: '5433',
        MERIDIAN_NATS_PORT: '4300',
        MERIDIAN_LOG_LEVEL: 'debug',
        MERIDIAN_LOG_FORMAT: 'json',
      },
      '/',
    );
    expect(sut).toMatchObject({
      dataDir: '/var/lib/meridian',
      host: '0.0.0.0',
      port: 6000,
      regions: ['us-east', 'eu-west', 'ap-south'],
      replications: ['us-east', 'ap-south'],
      databaseUrl: 'postgresql://meridian:pw@db:5432/postgres',
      postgresPort: 5433,
      natsPort: 4300,
      logLevel: 'debug',
      logFormat: 'json',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ MERIDIAN_PORT: '', DATABASE_URL: '' }, '/')).toMatchObject({
      port: 5000,
      databaseUrl: undefined,
    });
  });

  it('names every bad key in one error, and never a value', () => {
    const env = {
      MERIDIAN_PORT: 'eighty',
      MERIDIAN_REGIONS: 'us-east,US_WEST',
      DATABASE_URL: 'mysql://root:hunter2@db/x',
      MERIDIAN_LOG_LEVEL: 'loud',
      MERIDIAN_HOST: '127.0.0.1',
    };
    const error = catchError(() => loadConfig(env, '/'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map(({ key }) => key)).toEqual([
      'MERIDIAN_PORT',
      'MERIDIAN_REGIONS',
      'DATABASE_URL',
      'MERIDIAN_LOG_LEVEL',
    ]);
    for (const value of ['eighty', 'US_WEST', 'hunter2', 'loud'])
      expect(error.message).not.toContain(value);
  });

  it('refuses a region listed twice', () => {
    expect(() => loadConfig({ MERIDIAN_REGIONS: 'us-east,us-east' }, '/')).toThrow(
      'MERIDIAN_REGIONS',
    );
  });

  it('has every region replicate unless MERIDIAN_REPLICATIONS names some', () => {
    expect(loadConfig({ MERIDIAN_REGIONS: 'us-east,eu-west,ap-south' }, '/').replications).toEqual([
      'us-east',
      'eu-west',
      'ap-south',
    ]);
  });

  it.each([
    ['a region not in MERIDIAN_REGIONS', 'us-east,ap-south'],
    ['a region listed twice', 'us-east,us-east'],
    ['no region', ','],
    ['a bad region id', 'us-east,EU_WEST'],
  ])('refuses MERIDIAN_REPLICATIONS with %s, naming the key', (_case, replications) => {
    const error = catchError(() =>
      loadConfig({ MERIDIAN_REGIONS: 'us-east,eu-west', MERIDIAN_REPLICATIONS: replications }, '/'),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map(({ key }) => key)).toEqual([
      'MERIDIAN_REPLICATIONS',
    ]);
    expect(error.message).toContain('regions of MERIDIAN_REGIONS');
  });

  it('refuses a base port that leaves no room for every region', () => {
    expect(() =>
      loadConfig({ MERIDIAN_PORT: '65535', MERIDIAN_REGIONS: 'us-east,eu-west' }, '/'),
    ).toThrow('MERIDIAN_PORT');
    expect(() =>
      loadConfig({ MERIDIAN_NATS_PORT: '65535', MERIDIAN_REGIONS: 'us-east,eu-west' }, '/'),
    ).toThrow('MERIDIAN_NATS_PORT');
  });
});

function catchError(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
