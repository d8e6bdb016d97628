import { z } from 'zod';
import { LogLevel, NatsUrls, PostgresUrl, envExpectations } from './env-schemas';
import { ConfigError, parseEnv } from './parse-env';

const schema = z.object({
  DATABASE_URL: PostgresUrl,
  MERIDIAN_NATS_URL: NatsUrls.default(['nats://127.0.0.1:4222']),
  MERIDIAN_LOG_LEVEL: LogLevel.default('info'),
  MERIDIAN_PORT: z.coerce.number().int().min(1).max(65_535).default(5000),
});

const expectations = {
  DATABASE_URL: `${envExpectations.postgresUrl} (required)`,
  MERIDIAN_NATS_URL: envExpectations.natsUrls,
  MERIDIAN_LOG_LEVEL: envExpectations.logLevel,
  MERIDIAN_PORT: 'a port number (1-65535)',
};

const databaseUrl = 'postgres://meridian:hunter2@db.internal:5432/meridian';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parseEnv(schema, expectations, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(parseEnv.name, () => {
  it('returns the parsed values with defaults filled in, and ignores other variables', () => {
    expect(parseEnv(schema, expectations, { DATABASE_URL: databaseUrl, HOME: '/root' })).toEqual({
      DATABASE_URL: databaseUrl,
      MERIDIAN_NATS_URL: ['nats://127.0.0.1:4222'],
      MERIDIAN_LOG_LEVEL: 'info',
      MERIDIAN_PORT: 5000,
    });
  });

  it('splits several NATS URLs and coerces numbers', () => {
    const sut = parseEnv(schema, expectations, {
      DATABASE_URL: 'postgresql://db/meridian',
      MERIDIAN_NATS_URL: 'nats://a:4222, tls://b:4222',
      MERIDIAN_LOG_LEVEL: 'silent',
      MERIDIAN_PORT: '8080',
    });
    expect(sut.MERIDIAN_NATS_URL).toEqual(['nats://a:4222', 'tls://b:4222']);
    expect(sut.MERIDIAN_LOG_LEVEL).toBe('silent');
    expect(sut.MERIDIAN_PORT).toBe(8080);
  });

  it('takes an empty variable as unset', () => {
    const sut = parseEnv(schema, expectations, {
      DATABASE_URL: databaseUrl,
      MERIDIAN_LOG_LEVEL: '',
      MERIDIAN_PORT: undefined,
    });
    expect(sut).toMatchObject({ MERIDIAN_LOG_LEVEL: 'info', MERIDIAN_PORT: 5000 });
    expect(configError({ DATABASE_URL: '' }).keys).toEqual(['DATABASE_URL']);
  });

  it('names every bad key once, in the schema order, with what it expects and never its value', () => {
    const sut = configError({
      DATABASE_URL: 'mysql://root:hunter2@db/meridian',
      MERIDIAN_NATS_URL: 'nats://a:4222,http://nats',
      MERIDIAN_LOG_LEVEL: 'loud',
      MERIDIAN_PORT: '70000',
    });
    expect(sut.problems).toEqual([
      { key: 'DATABASE_URL', expected: 'a postgres:// or postgresql:// URL (required)' },
      { key: 'MERIDIAN_NATS_URL', expected: 'a nats:// URL, or several separated by commas' },
      {
        key: 'MERIDIAN_LOG_LEVEL',
        expected: 'one of fatal, error, warn, info, debug, trace, silent',
      },
      { key: 'MERIDIAN_PORT', expected: 'a port number (1-65535)' },
    ]);
    expect(sut.message).toBe(
      [
        'invalid configuration:',
        '  DATABASE_URL: expected a postgres:// or postgresql:// URL (required)',
        '  MERIDIAN_NATS_URL: expected a nats:// URL, or several separated by commas',
        '  MERIDIAN_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
        '  MERIDIAN_PORT: expected a port number (1-65535)',
      ].join('\n'),
    );
    expect(sut.message).not.toMatch(/hunter2|http:\/\/nats|loud|70000/);
  });

  it('blames the key a cross-key refinement names', () => {
    const refined = schema.superRefine((env, context) => {
      if (env.MERIDIAN_PORT === 5432)
        context.addIssue({ code: 'custom', path: ['MERIDIAN_PORT'], message: '' });
    });
    const attempt = () =>
      parseEnv(refined, expectations, { DATABASE_URL: databaseUrl, MERIDIAN_PORT: '5432' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^invalid configuration:\n {2}MERIDIAN_PORT: expected a port/);
  });
});
