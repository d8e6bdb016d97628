import { LogLevel, NatsUrls, PostgresUrl } from './env-schemas';

describe('env schemas', () => {
  it.each(['postgres://u:p@db:5432/meridian', 'postgresql://db/meridian'])(
    'PostgresUrl accepts %s',
    (url) => expect(PostgresUrl.safeParse(url).success).toBe(true),
  );

  it.each(['mysql://db/meridian', 'db:5432', 'postgres'])('PostgresUrl refuses %s', (url) =>
    expect(PostgresUrl.safeParse(url).success).toBe(false),
  );

  it('NatsUrls accepts every NATS scheme and trims around commas', () => {
    expect(NatsUrls.parse('nats://a:4222 ,tls://b:4222, ws://c:80,wss://d:443')).toEqual([
      'nats://a:4222',
      'tls://b:4222',
      'ws://c:80',
      'wss://d:443',
    ]);
  });

  it.each(['http://nats', 'nats://a:4222,', 'a:4222'])('NatsUrls refuses %s', (urls) =>
    expect(NatsUrls.safeParse(urls).success).toBe(false),
  );

  it('LogLevel lists the levels most severe first, silent last', () => {
    expect(LogLevel.options).toEqual([
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]);
    expect(LogLevel.safeParse('loud').success).toBe(false);
  });
});
