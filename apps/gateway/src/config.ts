/**
 * The gateway's configuration, from the environment, checked once at boot. A bad value
 * stops the gateway with one message naming every bad key and what it expects; values
 * are never echoed (the S3 secret is one of them).
 *
 * The storage variables are libs/storage's, read the same way by the blob service, so both
 * open one store (see storage-env.ts for MERIDIAN_S3_REDIRECT and the public endpoint).
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import {
  CommaList,
  type EnvExpectations,
  parseEnv,
  serviceEnv,
  serviceEnvExpectations,
  type ServiceConfig,
  serviceConfigOf,
} from '@meridian/config';
import {
  type StorageConfig,
  storageConfigFromEnv,
  storageEnvExpectations,
  withStorageEnv,
} from '@meridian/storage';
import { z } from 'zod';

export { ConfigError } from '@meridian/config';

const Port = z.coerce.number().int().min(1).max(65_535);
const Seconds = z.coerce.number().int().min(0).max(86_400);

/** `10.0.0.7`, `10.0.0.0/8`, `fd00::/8`: an address, or an address and a prefix length. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

const AddressList = CommaList.pipe(z.array(z.string().refine(isAddressOrCidr)));

const schema = withStorageEnv({
  ...serviceEnv,
  MERIDIAN_HOST: z.string().min(1).default('127.0.0.1'),
  MERIDIAN_PORT: Port.default(5000),
  MERIDIAN_MANIFEST_CACHE_MIB: z.coerce.number().int().min(0).max(65_536).default(64),
  MERIDIAN_GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  MERIDIAN_AUTH_MODE: z.enum(['on', 'off']).default('on'),
  MERIDIAN_UPLOAD_STATE_KEY: z.string().min(16).optional(),
  MERIDIAN_REGISTRY_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/)
    .default('meridian'),
  MERIDIAN_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  MERIDIAN_TRUSTED_PROXIES: AddressList.default([]),
  MERIDIAN_HTTP_IDLE_TIMEOUT_SECONDS: Seconds.min(1).default(300),
  MERIDIAN_HTTP_HEADERS_TIMEOUT_SECONDS: Seconds.min(1).default(60),
  MERIDIAN_HTTP_REQUEST_TIMEOUT_SECONDS: Seconds.default(0),
});

const expectations: EnvExpectations<typeof schema> = {
  ...serviceEnvExpectations,
  MERIDIAN_HOST: 'a host name or IP address to listen on',
  MERIDIAN_PORT: 'a port number (1-65535)',
  MERIDIAN_MANIFEST_CACHE_MIB: 'a whole number of MiB (0 turns the cache off)',
  MERIDIAN_GATEWAY_WORKERS: 'a number of worker processes, 1 to 64',
  MERIDIAN_AUTH_MODE:
    '`on` (the default) or `off` (no authentication at all: trusted networks only)',
  MERIDIAN_UPLOAD_STATE_KEY:
    'a secret of at least 16 characters, the same for every gateway of the region (signs the `_state` of upload sessions the gateway opens)',
  MERIDIAN_REGISTRY_NAME: "a registry name (letters, digits, `.`, `:`, `-`): the tokens' audience",
  MERIDIAN_PUBLIC_URL:
    'the http(s) URL clients reach the gateway at, e.g. https://registry.example.com',
  MERIDIAN_TRUSTED_PROXIES:
    'addresses or CIDRs of the proxies in front of the gateway, comma-separated, e.g. 10.0.0.0/8',
  MERIDIAN_HTTP_IDLE_TIMEOUT_SECONDS:
    'whole seconds (1-86400) a connection may stay silent mid-request before it is closed',
  MERIDIAN_HTTP_HEADERS_TIMEOUT_SECONDS:
    "whole seconds (1-86400) a client has to send a request's headers",
  MERIDIAN_HTTP_REQUEST_TIMEOUT_SECONDS:
    'whole seconds (0-86400) a whole request may take to arrive; 0 (the default) for no limit',
  ...storageEnvExpectations,
};

export interface GatewayConfig extends ServiceConfig {
  host: string;
  port: number;
  storage: StorageConfig;
  /** bytes of manifest bodies kept in memory by digest */
  manifestCacheBytes: number;
  /** processes serving HTTP on the one port; one per CPU (at most 4) by default */
  workers: number;
  /**
   * the proxies whose `X-Forwarded-For` (and `-Proto`) name the client; a request from any
   * other address is its own client, whatever headers it sends
   */
  trustedProxies: string[];
  /**
   * the key of the `_state` of upload sessions the gateway opens itself (upload-states.ts);
   * without one, the blob service opens every session
   */
  uploadStateKey: string | undefined;
  auth: GatewayAuthConfig;
  http: GatewayHttpConfig;
}

/**
 * How long the gateway waits on a client. Bodies are bounded by silence, not by length: a
 * large layer over a slow link takes as long as it takes while bytes keep coming, and a
 * connection on which nothing moves for `idleTimeoutMs` is closed, failing its request
 * (and so releasing whatever it held).
 */
export interface GatewayHttpConfig {
  idleTimeoutMs: number;
  headersTimeoutMs: number;
  /** the whole request, headers and body; 0 for no limit */
  requestTimeoutMs: number;
}

export interface GatewayAuthConfig {
  /** `off` only by the operator's explicit choice (benchmarks, trusted networks) */
  mode: 'on' | 'off';
  /** the `service` of the token challenge and the audience (`aud`) tokens must carry */
  registryName: string;
  /**
   * the base URL of the token realm; when absent, the request's Host, which must then be a
   * loopback name or the listen address (auth-challenges.ts)
   */
  publicUrl: string | undefined;
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): GatewayConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    ...serviceConfigOf(config),
    host: config.MERIDIAN_HOST,
    port: config.MERIDIAN_PORT,
    storage: storageConfigFromEnv(config, config.MERIDIAN_REGION, cwd),
    manifestCacheBytes: config.MERIDIAN_MANIFEST_CACHE_MIB * 1024 * 1024,
    workers: config.MERIDIAN_GATEWAY_WORKERS ?? Math.min(availableParallelism(), 4),
    trustedProxies: config.MERIDIAN_TRUSTED_PROXIES,
    uploadStateKey: config.MERIDIAN_UPLOAD_STATE_KEY,
    auth: {
      mode: config.MERIDIAN_AUTH_MODE,
      registryName: config.MERIDIAN_REGISTRY_NAME,
      publicUrl: config.MERIDIAN_PUBLIC_URL,
    },
    http: {
      idleTimeoutMs: config.MERIDIAN_HTTP_IDLE_TIMEOUT_SECONDS * 1000,
      headersTimeoutMs: config.MERIDIAN_HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: config.MERIDIAN_HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    },
  };
}
