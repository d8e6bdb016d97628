/**
 * How a service proves who it is to NATS, and how it checks NATS is who it claims: the
 * variables every service reads beside MERIDIAN_NATS_URL. A service has its own NATS user
 * (an nkey seed, or a user and password) whose permissions the server limits to what that
 * service publishes and subscribes to (libs/contracts nats-permissions.ts). TLS is for every
 * link that leaves the machine: a CA to verify the server, and a client certificate when
 * the server asks for one. The embedded default (`npm start`) hands each service its own
 * generated nkey and needs no TLS on loopback.
 */
import { z } from 'zod';
import { ConfigError } from './parse-env';

/** An nkey user seed as `nk -gen user` or `nsc` print it. */
const NkeySeed = z.string().regex(/^SU[A-Z2-7]{56}$/);

export const natsConnectionEnv = {
  MERIDIAN_NATS_USER: z.string().min(1).optional(),
  MERIDIAN_NATS_PASSWORD: z.string().min(1).optional(),
  MERIDIAN_NATS_NKEY_SEED: NkeySeed.optional(),
  MERIDIAN_NATS_TLS_CA: z.string().min(1).optional(),
  MERIDIAN_NATS_TLS_CERT: z.string().min(1).optional(),
  MERIDIAN_NATS_TLS_KEY: z.string().min(1).optional(),
};

export const natsConnectionExpectations = {
  MERIDIAN_NATS_USER: "this service's NATS user name (with MERIDIAN_NATS_PASSWORD)",
  MERIDIAN_NATS_PASSWORD: "this service's NATS password (with MERIDIAN_NATS_USER)",
  MERIDIAN_NATS_NKEY_SEED: "this service's NATS nkey user seed (SU..., 58 characters)",
  MERIDIAN_NATS_TLS_CA:
    'the path of the CA certificate (PEM) that signed the NATS server certificate',
  MERIDIAN_NATS_TLS_CERT: 'the path of a client certificate (PEM), with MERIDIAN_NATS_TLS_KEY',
  MERIDIAN_NATS_TLS_KEY:
    'the path of the client certificate key (PEM), with MERIDIAN_NATS_TLS_CERT',
} as const;

export type NatsConnectionEnv = {
  [Key in keyof typeof natsConnectionEnv]?: z.output<(typeof natsConnectionEnv)[Key]>;
};

/** What a NATS client is given to connect (libs/messaging). */
export interface NatsClientAuth {
  user?: string;
  password?: string;
  nkeySeed?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** The connect options of parsed variables; throws ConfigError for a half-given pair. */
export function natsClientAuthOf(env: NatsConnectionEnv): NatsClientAuth {
  const missing = (key: keyof typeof natsConnectionExpectations) => ({
    key,
    expected: natsConnectionExpectations[key],
  });
  const problems = [];
  if (env.MERIDIAN_NATS_USER && !env.MERIDIAN_NATS_PASSWORD)
    problems.push(missing('MERIDIAN_NATS_PASSWORD'));
  if (env.MERIDIAN_NATS_PASSWORD && !env.MERIDIAN_NATS_USER)
    problems.push(missing('MERIDIAN_NATS_USER'));
  if (env.MERIDIAN_NATS_NKEY_SEED && env.MERIDIAN_NATS_USER)
    problems.push({
      key: 'MERIDIAN_NATS_NKEY_SEED',
      expected: 'either an nkey seed or MERIDIAN_NATS_USER, not both',
    });
  if (env.MERIDIAN_NATS_TLS_CERT && !env.MERIDIAN_NATS_TLS_KEY)
    problems.push(missing('MERIDIAN_NATS_TLS_KEY'));
  if (env.MERIDIAN_NATS_TLS_KEY && !env.MERIDIAN_NATS_TLS_CERT)
    problems.push(missing('MERIDIAN_NATS_TLS_CERT'));
  if (problems.length > 0) throw new ConfigError(problems);

  const auth: NatsClientAuth = {};
  if (env.MERIDIAN_NATS_USER) {
    auth.user = env.MERIDIAN_NATS_USER;
    auth.password = env.MERIDIAN_NATS_PASSWORD;
  }
  if (env.MERIDIAN_NATS_NKEY_SEED) auth.nkeySeed = env.MERIDIAN_NATS_NKEY_SEED;
  if (env.MERIDIAN_NATS_TLS_CA || env.MERIDIAN_NATS_TLS_CERT) {
    auth.tls = {
      ...(env.MERIDIAN_NATS_TLS_CA ? { caFile: env.MERIDIAN_NATS_TLS_CA } : {}),
      ...(env.MERIDIAN_NATS_TLS_CERT
        ? { certFile: env.MERIDIAN_NATS_TLS_CERT, keyFile: env.MERIDIAN_NATS_TLS_KEY }
        : {}),
    };
  }
  return auth;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Whether every URL names this machine's loopback interface: the one case (the embedded
 * default, a test) where a service may run without the secrets a deployment must have.
 */
export function isLoopbackOnly(urls: readonly string[]): boolean {
  return urls.every((url) => {
    if (!URL.canParse(url)) return false;
    const host = new URL(url).hostname;
    return loopbackHosts.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  });
}

/** `{ natsAuth }` for a service's config object, or nothing when no variable is set. */
export function natsAuthConfig(env: NatsConnectionEnv): { natsAuth?: NatsClientAuth } {
  const natsAuth = natsClientAuthOf(env);
  return Object.keys(natsAuth).length > 0 ? { natsAuth } : {};
}
