import { ConfigError } from './parse-env';
import { isLoopbackOnly, natsAuthConfig, natsClientAuthOf } from './nats-connection-env';

describe(natsClientAuthOf.name, () => {
  const seed = `SU${'A'.repeat(56)}`;

  it('gives a user and password, or an nkey seed, and TLS files', () => {
    expect(
      natsClientAuthOf({
        MERIDIAN_NATS_USER: 'gateway',
        MERIDIAN_NATS_PASSWORD: 'pw',
        MERIDIAN_NATS_TLS_CA: '/ca.pem',
      }),
    ).toEqual({ user: 'gateway', password: 'pw', tls: { caFile: '/ca.pem' } });
    expect(
      natsClientAuthOf({
        MERIDIAN_NATS_NKEY_SEED: seed,
        MERIDIAN_NATS_TLS_CERT: '/c.pem',
        MERIDIAN_NATS_TLS_KEY: '/k.pem',
      }),
    ).toEqual({ nkeySeed: seed, tls: { certFile: '/c.pem', keyFile: '/k.pem' } });
    expect(natsAuthConfig({})).toEqual({});
  });

  it('names the missing half of a pair', () => {
    expect(() => natsClientAuthOf({ MERIDIAN_NATS_USER: 'gateway' })).toThrow(ConfigError);
    expect(() => natsClientAuthOf({ MERIDIAN_NATS_USER: 'gateway' })).toThrow(
      /MERIDIAN_NATS_PASSWORD/,
    );
    expect(() => natsClientAuthOf({ MERIDIAN_NATS_TLS_CERT: '/c.pem' })).toThrow(
      /MERIDIAN_NATS_TLS_KEY/,
    );
  });
});

describe(isLoopbackOnly.name, () => {
  it('is true only when every URL names the loopback interface', () => {
    expect(isLoopbackOnly(['nats://127.0.0.1:4222', 'postgres://u@localhost/db'])).toBe(true);
    expect(isLoopbackOnly(['nats://[::1]:4222'])).toBe(true);
    expect(isLoopbackOnly(['nats://127.0.0.1:4222', 'postgres://u@db.internal/db'])).toBe(false);
    expect(isLoopbackOnly(['nats://nats-us-east:4222'])).toBe(false);
  });
});
